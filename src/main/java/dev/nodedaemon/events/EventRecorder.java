package dev.nodedaemon.events;

import dev.nodedaemon.lease.PauseFence;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Records core/v1 Events on NodeDaemons, the kind {@code kubectl describe} shows, the way
 * client-go's recorder does:
 *
 * <ul>
 *   <li>a repeat of the same reason and message on the same object within ten minutes bumps the
 *       count of the existing event instead of making a new one;
 *   <li>after ten different messages with the same reason on the same object within ten minutes,
 *       further ones are folded into one "(combined from similar events)" event, so a 5,000-node
 *       rollout makes a handful of events, not 5,000; its count is patched at most once a second;
 *   <li>events are written by one background thread from a bounded queue: a reconcile never waits
 *       for them, and when the API server is slow they are dropped (and logged), never queued
 *       without bound.
 * </ul>
 */
public final class EventRecorder implements EventSink {

  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private static final String COMPONENT = "nodedaemon-operator";
  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final int SIMILAR_BEFORE_COMBINING = 10;
  private static final int MAX_REMEMBERED = 4096;
  private static final int QUEUE = 10_000;

  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Thread writer;

  /** Written events by key; touched only by the writer thread. */
  private final Map<String, Recorded> recent = lru();

  /** Distinct messages per (object, type, reason) in the current window; writer thread only. */
  private final Map<String, Similar> similar = lru();

  private record Pending(Target target, String type, String reason, String message, Instant at) {}

  /** What an event is about, copied so the writer never reads a mutable resource. */
  private record Target(
      String apiVersion, String kind, String namespace, String name, String uid) {}

  private record Recorded(String name, int count, Instant first, Instant written) {}

  /** Occurrences of a combined event not yet written: the latest message and how many. */
  private record Deferred(Pending latest, String message, int occurrences) {}

  private static final Duration COMBINED_PATCH_INTERVAL = Duration.ofSeconds(1);

  /** Combined events waiting for their next patch; writer thread only. */
  private final Map<String, Deferred> deferred = new LinkedHashMap<>();

  private record Similar(Set<String> messages, Instant first) {}

  public EventRecorder(KubernetesClient client, Clock clock, String instance) {
    this.client = client;
    this.clock = clock;
    this.instance = instance;
    this.writer = Thread.ofPlatform().daemon().name("nodedaemon-events").start(this::drain);
  }

  @Override
  public void normal(HasMetadata object, String reason, String message) {
    enqueue(object, "Normal", reason, message);
  }

  @Override
  public void warning(HasMetadata object, String reason, String message) {
    enqueue(object, "Warning", reason, message);
  }

  private void enqueue(HasMetadata object, String type, String reason, String message) {
    Target target =
        new Target(
            object.getApiVersion(),
            object.getKind(),
            object.getMetadata().getNamespace(),
            object.getMetadata().getName(),
            object.getMetadata().getUid());
    Pending pending = new Pending(target, type, reason, message, clock.instant());
    if (!queue.offer(pending)) {
      LOG.warnf("event queue full, dropped %s %s on %s", reason, message, target.name());
    }
  }

  private void drain() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Pending pending = queue.poll(250, TimeUnit.MILLISECONDS);
        if (pending != null) {
          write(pending);
        }
        flushDeferred(clock.instant(), false);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("event writer failed", e);
      }
    }
  }

  private void flushDeferred(Instant now, boolean all) {
    var it = deferred.entrySet().iterator();
    while (it.hasNext()) {
      var entry = it.next();
      Recorded recorded = recent.get(entry.getKey());
      if (recorded == null) {
        it.remove();
        continue;
      }
      if (all || !recorded.written().plus(COMBINED_PATCH_INTERVAL).isAfter(now)) {
        it.remove();
        Deferred d = entry.getValue();
        patch(entry.getKey(), recorded, d.latest(), d.message(), d.occurrences(), now);
      }
    }
  }

  private void patch(
      String key, Recorded previous, Pending p, String message, int occurrences, Instant now) {
    int count = previous.count() + occurrences;
    Event patch =
        new EventBuilder()
            .withCount(count)
            .withMessage(message)
            .withLastTimestamp(p.at().truncatedTo(ChronoUnit.SECONDS).toString())
            .build();
    PauseFence.check();
    try {
      client
          .v1()
          .events()
          .inNamespace(p.target().namespace())
          .withName(previous.name())
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      recent.put(key, new Recorded(previous.name(), count, previous.first(), now));
    } catch (KubernetesClientException e) {
      recent.remove(key);
      LOG.warnf("could not update event %s: %s", previous.name(), e.getMessage());
    }
  }

  private void write(Pending p) {
    Instant now = p.at().truncatedTo(ChronoUnit.SECONDS);
    String message = p.message();
    String aggregateKey = p.target().uid() + "\u0000" + p.type() + "\u0000" + p.reason();
    Similar seen = similar.get(aggregateKey);
    if (seen == null || seen.first().plus(WINDOW).isBefore(now)) {
      seen = new Similar(new HashSet<>(), now);
      similar.put(aggregateKey, seen);
    }
    seen.messages().add(message);
    String key;
    if (seen.messages().size() > SIMILAR_BEFORE_COMBINING) {
      key = aggregateKey + "\u0000(combined)";
      message = "(combined from similar events): " + message;
    } else {
      key = aggregateKey + "\u0000" + message;
    }

    Recorded previous = recent.get(key);
    if (previous != null && previous.first().plus(WINDOW).isAfter(now)) {
      boolean combined = seen.messages().size() > SIMILAR_BEFORE_COMBINING;
      if (combined && previous.written().plus(COMBINED_PATCH_INTERVAL).isAfter(p.at())) {
        Deferred d = deferred.get(key);
        deferred.put(key, new Deferred(p, message, d == null ? 1 : d.occurrences() + 1));
      } else {
        Deferred d = deferred.remove(key);
        patch(key, previous, p, message, 1 + (d == null ? 0 : d.occurrences()), p.at());
      }
      return;
    }
    try {
      String name = p.target().name() + "." + Long.toHexString(System.nanoTime());
      Event event =
          new EventBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(p.target().namespace())
              .endMetadata()
              .withNewInvolvedObject()
              .withApiVersion(p.target().apiVersion())
              .withKind(p.target().kind())
              .withName(p.target().name())
              .withNamespace(p.target().namespace())
              .withUid(p.target().uid())
              .endInvolvedObject()
              .withType(p.type())
              .withReason(p.reason())
              .withMessage(message)
              .withCount(1)
              .withFirstTimestamp(now.toString())
              .withLastTimestamp(now.toString())
              .withReportingComponent(COMPONENT)
              .withReportingInstance(instance)
              .withNewSource()
              .withComponent(COMPONENT)
              .endSource()
              .build();
      PauseFence.check();
      client.v1().events().resource(event).create();
      recent.put(key, new Recorded(name, 1, now, p.at()));
    } catch (KubernetesClientException e) {
      recent.remove(key);
      LOG.warnf(
          "could not record event %s %s on %s/%s: %s",
          p.reason(), message, p.target().namespace(), p.target().name(), e.getMessage());
    }
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_REMEMBERED;
      }
    };
  }
}
