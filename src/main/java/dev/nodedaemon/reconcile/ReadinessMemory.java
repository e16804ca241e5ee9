package dev.nodedaemon.reconcile;

import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.plan.PlanInput;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the operator first saw each pod ready, on the operator's own clock. minReadySeconds is
 * judged against this as well as the kubelet's timestamp, so a node clock that runs behind cannot
 * make a pod available early. Keyed by pod UID and revision: a pod updated in place starts its
 * minReadySeconds again.
 */
final class ReadinessMemory {

  private final Map<String, Map<String, Instant>> byNodeDaemon = new ConcurrentHashMap<>();

  /** Records newly ready pods, forgets pods that are gone or not ready; returns the view. */
  Map<String, Instant> observe(String nodeDaemonUid, Collection<Pod> pods, Instant now) {
    Map<String, Instant> previous = byNodeDaemon.get(nodeDaemonUid);
    Map<String, Instant> next = new HashMap<>();
    for (Pod pod : pods) {
      if (DaemonPods.isReady(pod)) {
        String uid = PlanInput.readinessKey(pod);
        Instant seen;
        if (previous == null) {
          // First look after a start: these pods became ready while nobody watched; the kubelet's
          // time is all there is (clipped to now), else a restart would make every pod unavailable.
          Instant kubelet = DaemonPods.readySince(pod).orElse(now);
          seen = kubelet.isAfter(now) ? now : kubelet;
        } else {
          seen = previous.getOrDefault(uid, now);
        }
        next.put(uid, seen);
      }
    }
    byNodeDaemon.put(nodeDaemonUid, next);
    return Map.copyOf(next);
  }

  /** Drops what is kept for NodeDaemons that no longer exist. */
  void retainOnly(Set<String> nodeDaemonUids) {
    byNodeDaemon.keySet().retainAll(nodeDaemonUids);
  }
}
