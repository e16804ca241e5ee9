package dev.nodedaemon.events;

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
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Records core/v1 Events on NodeDaemons, the kind {@code kubectl describe} shows. A repeat of the
 * same reason and message on the same object within ten minutes bumps the count of the existing
 * event instead of making a new one, as client-go's recorder does. Recording never fails a
 * reconcile: an event that cannot be written is logged.
 */
public final class EventRecorder {

  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private static final String COMPONENT = "nodedaemon-operator";
  private static final Duration AGGREGATION_WINDOW = Duration.ofMinutes(10);
  private static final int MAX_REMEMBERED = 4096;

  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;
  private final Map<String, Recorded> recent =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };

  private record Recorded(String name, int count, Instant first) {}

  public EventRecorder(KubernetesClient client, Clock clock, String instance) {
    this.client = client;
    this.clock = clock;
    this.instance = instance;
  }

  public void normal(HasMetadata object, String reason, String message) {
    record(object, "Normal", reason, message);
  }

  public void warning(HasMetadata object, String reason, String message) {
    record(object, "Warning", reason, message);
  }

  private synchronized void record(HasMetadata object, String type, String reason, String message) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    String key = object.getMetadata().getUid() + "\u0000" + type + reason + "\u0000" + message;
    Recorded previous = recent.get(key);
    try {
      if (previous != null && previous.first().plus(AGGREGATION_WINDOW).isAfter(now)) {
        int count = previous.count() + 1;
        Event patch = new EventBuilder().withCount(count).withLastTimestamp(now.toString()).build();
        client
            .v1()
            .events()
            .inNamespace(object.getMetadata().getNamespace())
            .withName(previous.name())
            .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        recent.put(key, new Recorded(previous.name(), count, previous.first()));
        return;
      }
      String name =
          object.getMetadata().getName()
              + "."
              + Long.toHexString(System.nanoTime() ^ now.toEpochMilli());
      Event event =
          new EventBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(object.getMetadata().getNamespace())
              .endMetadata()
              .withNewInvolvedObject()
              .withApiVersion(object.getApiVersion())
              .withKind(object.getKind())
              .withName(object.getMetadata().getName())
              .withNamespace(object.getMetadata().getNamespace())
              .withUid(object.getMetadata().getUid())
              .endInvolvedObject()
              .withType(type)
              .withReason(reason)
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
      client.v1().events().resource(event).create();
      recent.put(key, new Recorded(name, 1, now));
    } catch (KubernetesClientException e) {
      recent.remove(key);
      LOG.warnf(
          "could not record event %s %s on %s/%s: %s",
          reason,
          message,
          object.getMetadata().getNamespace(),
          object.getMetadata().getName(),
          e.getMessage());
    }
  }
}
