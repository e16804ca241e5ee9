package dev.nodedaemon.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-place updates the API server refused (422 Invalid, or 403 from an admission policy that
 * forbids changing a running pod's image), per NodeDaemon and update revision. The same patch would
 * get the same answer, so no pod is patched for that revision until the backoff ends: 10 s,
 * doubling to 5 min. The refused pods are left running as they are: a refusal is never a reason to
 * delete one. Forgotten when the update revision changes, or after a quiet period of twice the
 * maximum.
 */
final class InPlaceRefusals {

  static final Duration INITIAL = Duration.ofSeconds(10);
  static final Duration MAX = Duration.ofMinutes(5);

  /**
   * @param until no in-place patch for {@code revision} before this
   */
  record Refusal(String revision, String message, Instant until, Duration delay) {

    /** For the ReconcileError condition: stable while the backoff lasts, so no status churn. */
    String describe() {
      return "the API server refuses in-place updates to revision "
          + revision
          + " (no pod is deleted for it; next attempt at "
          + until
          + "): "
          + message;
    }
  }

  private final Map<String, Refusal> byNodeDaemon = new ConcurrentHashMap<>();

  /** The refusal that holds in-place patches to {@code revision} now, if any. */
  Optional<Refusal> holding(String nodeDaemonUid, String revision, Instant now) {
    Refusal known = byNodeDaemon.get(nodeDaemonUid);
    if (known == null || !known.revision().equals(revision)) {
      return Optional.empty();
    }
    if (known.until().plus(MAX.multipliedBy(2)).isBefore(now)) {
      byNodeDaemon.remove(nodeDaemonUid);
      return Optional.empty();
    }
    return now.isBefore(known.until()) ? Optional.of(known) : Optional.empty();
  }

  /** A patch to {@code revision} was refused now: the backoff starts, or doubles. */
  Refusal refused(String nodeDaemonUid, String revision, String message, Instant now) {
    Refusal previous = byNodeDaemon.get(nodeDaemonUid);
    Duration delay =
        previous != null && previous.revision().equals(revision)
            ? previous.delay().multipliedBy(2)
            : INITIAL;
    if (delay.compareTo(MAX) > 0) {
      delay = MAX;
    }
    Refusal refusal = new Refusal(revision, message, now.plus(delay), delay);
    byNodeDaemon.put(nodeDaemonUid, refusal);
    return refusal;
  }

  /** Drops what is kept for NodeDaemons that no longer exist. */
  void retainOnly(Set<String> nodeDaemonUids) {
    byNodeDaemon.keySet().retainAll(nodeDaemonUids);
  }
}
