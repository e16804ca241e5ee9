package dev.nodedaemon.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Whether the operator's informers still hear from the API server: the operator's own staleness
 * signal, because fabric8's informer does not give one. A watch refused with 500 or 403 is retried
 * inside fabric8's watch manager while the informer keeps reporting itself watching and synced (and
 * the SDK's event-source health with it), so an operator whose caches stopped moving minutes ago
 * stayed Ready and Live.
 *
 * <p>Fed by {@link InformerTraffic} with what each informer's HTTP requests did, an informer being
 * the list and watch requests of one resource path and selector. An informer is <b>stale</b> when
 * its list or watch requests have failed (an HTTP error or no connection) with no success since,
 * for at least {@code failingAfter}. Readiness goes DOWN while any informer is stale; liveness only
 * once the first failure is {@code livenessAfter} old, so the kubelet restarts a wedged process but
 * not one riding out a short API outage.
 *
 * <p>A failing informer retries at least every 32 s (fabric8's backoff cap), so one with no request
 * for {@link #FORGET_AFTER} is no longer watched (a one-off wait that ended) and is forgotten.
 *
 * <p>Not covered: a watch connection that stays open but delivers nothing. The WebSocket frames of
 * a watch (bookmarks included) do not pass the client's interceptors, and fabric8 7.3's HTTP
 * watches over the Vert.x client never notice a cut connection (fabric8io/kubernetes-client#7163),
 * so the watches stay WebSocket and such silence is not measured here.
 */
public final class InformerHealth {

  private static final Logger LOG = Logger.getLogger(InformerHealth.class);

  private final Clock clock;

  /** An informer with no request for this long is no longer watched: forgotten. */
  static final Duration FORGET_AFTER = Duration.ofMinutes(2);

  private final Duration failingAfter;
  private final Duration livenessAfter;
  private final Map<String, Informer> informers = new ConcurrentHashMap<>();

  public InformerHealth(Clock clock, Duration failingAfter, Duration livenessAfter) {
    this.clock = clock;
    this.failingAfter = failingAfter;
    this.livenessAfter = livenessAfter;
  }

  /** A stale informer: its name, since when it is in trouble, and why. */
  public record Stale(String informer, Instant since, String reason, boolean pastLiveness) {
    public String describe() {
      return reason + " since " + since;
    }
  }

  /** A watch request for {@code informer} was sent: from now on it is one of the informers. */
  public void watchRequested(String informer) {
    informers
        .computeIfAbsent(
            informer,
            name -> {
              LOG.infof("informer %s: watching, its health in /q/health", name);
              return new Informer(clock.instant());
            })
        .requested(clock.instant());
  }

  /** A list or watch request of a known informer was sent (a list of an unknown one is not). */
  public void requested(String informer) {
    Informer known = informers.get(informer);
    if (known != null) {
      known.requested(clock.instant());
    }
  }

  /** A list or watch request of {@code informer} succeeded. */
  public void heard(String informer) {
    Informer known = informers.get(informer);
    if (known != null) {
      known.heard(clock.instant());
    }
  }

  /** A list or watch request of {@code informer} failed. */
  public void failed(String informer, String reason) {
    Informer known = informers.get(informer);
    if (known != null) {
      known.failed(clock.instant(), reason);
    }
  }

  /** The stale informers now, by name; logs each change of an informer's state. */
  public List<Stale> stale() {
    Instant now = clock.instant();
    List<Stale> stale = new ArrayList<>();
    informers.forEach(
        (name, informer) -> {
          if (informer.abandoned(now)) {
            informers.remove(name, informer);
            return;
          }
          Stale found = informer.assess(name, now, failingAfter, livenessAfter);
          informer.logTransition(name, found);
          if (found != null) {
            stale.add(found);
          }
        });
    stale.sort(java.util.Comparator.comparing(Stale::informer));
    return stale;
  }

  /**
   * What one informer's requests did; guarded by its own lock (requests complete on many threads).
   */
  private static final class Informer {
    private Instant lastRequest;
    private Instant failingSince;
    private String failure;
    private Stale reported;

    Informer(Instant created) {
      this.lastRequest = created;
    }

    synchronized void requested(Instant at) {
      lastRequest = at;
    }

    synchronized void heard(Instant at) {
      failingSince = null;
      failure = null;
    }

    synchronized void failed(Instant at, String reason) {
      if (failingSince == null) {
        failingSince = at;
      }
      failure = reason;
    }

    synchronized boolean abandoned(Instant now) {
      return !lastRequest.plus(FORGET_AFTER).isAfter(now);
    }

    synchronized Stale assess(String name, Instant now, Duration failingAfter, Duration liveness) {
      if (failingSince == null || failingSince.plus(failingAfter).isAfter(now)) {
        return null;
      }
      return new Stale(
          name,
          failingSince,
          "list/watch failing (" + failure + ")",
          !failingSince.plus(liveness).isAfter(now));
    }

    synchronized void logTransition(String name, Stale now) {
      boolean wasStale = reported != null;
      boolean wasPast = wasStale && reported.pastLiveness();
      if (now != null && (!wasStale || now.pastLiveness() != wasPast)) {
        LOG.warnf(
            "informer %s is stale: %s%s",
            name,
            now.describe(),
            now.pastLiveness() ? "; past the liveness bound, liveness is DOWN" : "");
      } else if (now == null && wasStale) {
        LOG.infof(
            "informer %s hears the API server again (stale since %s)", name, reported.since());
      }
      reported = now;
    }
  }
}
