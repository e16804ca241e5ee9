package dev.nodedaemon.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Pods this process created or adopted that its informer has not shown yet, as the built-in
 * controller's expectations. Without them a reconcile that runs before the watch delivers a new pod
 * plans the same create again; the pod's deterministic name makes that second create fail
 * harmlessly, but it is a wasted request per node. An expectation ends when the pod is seen, or
 * after {@link #TTL} in case its watch event was lost.
 */
final class CreationExpectations {

  static final Duration TTL = Duration.ofSeconds(30);

  private record Expected(String podName, Instant at) {}

  private final Map<String, Map<String, Expected>> byNodeDaemon = new ConcurrentHashMap<>();

  void expect(String nodeDaemonUid, String node, String podName, Instant now) {
    byNodeDaemon
        .computeIfAbsent(nodeDaemonUid, k -> new ConcurrentHashMap<>())
        .put(node, new Expected(podName, now));
  }

  /** Nodes whose created pod has not been observed yet; forgets the ones now observed. */
  Set<String> pendingNodes(String nodeDaemonUid, Collection<Pod> observed, Instant now) {
    Map<String, Expected> expected = byNodeDaemon.get(nodeDaemonUid);
    if (expected == null || expected.isEmpty()) {
      return Set.of();
    }
    Set<String> seen =
        observed.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    expected.values().removeIf(e -> seen.contains(e.podName()) || e.at().plus(TTL).isBefore(now));
    return Set.copyOf(expected.keySet());
  }

  /** Drops what is kept for NodeDaemons that no longer exist. */
  void retainOnly(Set<String> nodeDaemonUids) {
    byNodeDaemon.keySet().retainAll(nodeDaemonUids);
  }
}
