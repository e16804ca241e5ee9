package dev.nodedaemon.reconcile;

import dev.nodedaemon.plan.PlanInput.NodeBackoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-node backoff for replacing failed pods: 1 s, doubling to 5 min; forgotten after a quiet
 * period of twice the maximum, like the built-in controller's flowcontrol.Backoff. In memory: after
 * a restart a broken node gets one immediate retry, then backs off again.
 */
final class FailureBackoff {

  static final Duration INITIAL = Duration.ofSeconds(1);
  static final Duration MAX = Duration.ofMinutes(5);

  private final Map<String, Map<String, NodeBackoff>> byNodeDaemon = new ConcurrentHashMap<>();

  Map<String, NodeBackoff> view(String nodeDaemonUid, Instant now) {
    Map<String, NodeBackoff> nodes = byNodeDaemon.get(nodeDaemonUid);
    if (nodes == null) {
      return Map.of();
    }
    nodes.values().removeIf(b -> b.until().plus(MAX.multipliedBy(2)).isBefore(now));
    return Map.copyOf(nodes);
  }

  void bump(String nodeDaemonUid, String node, Instant now) {
    Map<String, NodeBackoff> nodes =
        byNodeDaemon.computeIfAbsent(nodeDaemonUid, k -> new ConcurrentHashMap<>());
    NodeBackoff previous = nodes.get(node);
    Duration delay = previous == null ? INITIAL : previous.delay().multipliedBy(2);
    if (delay.compareTo(MAX) > 0) {
      delay = MAX;
    }
    nodes.put(node, new NodeBackoff(now.plus(delay), delay));
  }

  /** Drops what is kept for NodeDaemons that no longer exist. */
  void retainOnly(Set<String> nodeDaemonUids) {
    byNodeDaemon.keySet().retainAll(nodeDaemonUids);
  }
}
