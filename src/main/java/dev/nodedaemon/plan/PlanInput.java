package dev.nodedaemon.plan;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.observe.DaemonPods;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the planner decides from. Nothing in it is read again from the cluster or the clock.
 *
 * @param nodeDaemon the NodeDaemon as last read
 * @param updateRevision the revision hash of the current template
 * @param revisions the kept revisions, by hash
 * @param snapshot nodes and this NodeDaemon's pods
 * @param backoff failed-pod backoff per node name
 * @param firstSeenReady when the operator first saw each pod ready, on its own clock, by {@link
 *     #readinessKey}
 * @param creationsInFlight nodes whose pod this operator created but has not observed yet
 * @param templateRefusal why the API server refuses pods of the update revision's template (a
 *     server-side dry run of one pod), empty when it admits them or has not been asked
 * @param now the operator's clock
 * @param prePullPods this NodeDaemon's pre-pull pods (rollingUpdate.prePull), never daemon pods
 */
public record PlanInput(
    NodeDaemon nodeDaemon,
    String updateRevision,
    RevisionIndex revisions,
    ClusterSnapshot snapshot,
    Map<String, NodeBackoff> backoff,
    Map<String, Instant> firstSeenReady,
    Set<String> creationsInFlight,
    Optional<String> templateRefusal,
    Instant now,
    List<Pod> prePullPods) {

  /** Failed-pod backoff on one node: no failed pod is replaced there before {@code until}. */
  public record NodeBackoff(Instant until, Duration delay) {}

  /**
   * Ready for minReadySeconds, judged on the operator's clock: the one definition of available that
   * the planner's budget and the status counters share.
   */
  public boolean isAvailable(Pod pod) {
    if (DaemonPods.isFailed(pod) || DaemonPods.isSucceeded(pod)) {
      return false;
    }
    Integer minReady = nodeDaemon.getSpec().getMinReadySeconds();
    int minReadySeconds = minReady == null ? 0 : minReady;
    // Without minReadySeconds the time first seen ready is never read: skip building its key (a
    // string per pod per call, the planner's hottest lookup at 5,000 nodes).
    return DaemonPods.isAvailable(
        pod,
        minReadySeconds,
        now,
        minReadySeconds <= 0
            ? Optional.empty()
            : Optional.ofNullable(firstSeenReady.get(readinessKey(pod))));
  }

  /** A pod's identity for readiness: its UID and revision, so an in-place update starts afresh. */
  public static String readinessKey(Pod pod) {
    return pod.getMetadata().getUid() + "/" + DaemonPods.revision(pod);
  }
}
