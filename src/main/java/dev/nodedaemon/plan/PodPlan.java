package dev.nodedaemon.plan;

import dev.nodedaemon.placement.NodeEligibility.Verdict;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to do in one step, and what was seen while deciding it.
 *
 * @param creates nodes to create the update revision's pod on
 * @param deletes pods to delete, each with the reason that goes into its event
 * @param events events about the NodeDaemon that are not the result of a write
 * @param backoffBumps nodes whose failed-pod backoff advances because a failed pod is replaced
 * @param verdicts whether each node should run, or keep, the pod
 * @param requeueAfter when to look again even if nothing changes (backoff or minReadySeconds)
 */
public record PodPlan(
    List<String> creates,
    List<Deletion> deletes,
    List<PlannedEvent> events,
    List<String> backoffBumps,
    Map<String, Verdict> verdicts,
    Optional<Duration> requeueAfter) {

  /**
   * @param force delete without grace: for a pod whose node is gone there is no kubelet left to
   *     confirm a graceful stop, so it would stay Terminating for ever
   */
  public record Deletion(Pod pod, String why, boolean force) {
    public Deletion(Pod pod, String why) {
      this(pod, why, false);
    }
  }

  public record PlannedEvent(boolean warning, String reason, String message) {}

  public boolean isEmpty() {
    return creates.isEmpty() && deletes.isEmpty();
  }
}
