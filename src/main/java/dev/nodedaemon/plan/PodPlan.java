package dev.nodedaemon.plan;

import dev.nodedaemon.api.BlockingNode;
import dev.nodedaemon.placement.NodeEligibility.Verdict;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What to do in one step, and what was seen while deciding it.
 *
 * @param creates nodes to create the update revision's pod on
 * @param surgeCreates those of {@code creates} that put a new pod beside an old one under maxSurge:
 *     the surge budget they were planned in counts the step's deleted old pods as gone, so they are
 *     made only once every delete of the step has happened
 * @param deletes pods to delete, each with the reason that goes into its event
 * @param inPlaceUpdates pods whose container images are patched to the update revision's
 * @param events events about the NodeDaemon that are not the result of a write
 * @param backoffBumps nodes whose failed-pod backoff advances because a failed pod is replaced
 * @param verdicts whether each node should run, or keep, the pod
 * @param requeueAfter when to look again even if nothing changes (backoff or minReadySeconds)
 * @param rollout what the step saw of the rollout, for the phase and conditions
 * @param gates the health gates' verdict on the update revision's pods
 * @param createRevision the revision whose template the creates use: the update revision, or, while
 *     the update revision is held as bad, the revision the fleet ran before it
 * @param prePull the pre-pull pods to create and delete (rollingUpdate.prePull)
 */
public record PodPlan(
    List<String> creates,
    Set<String> surgeCreates,
    List<Deletion> deletes,
    List<InPlacePatch> inPlaceUpdates,
    List<PlannedEvent> events,
    List<String> backoffBumps,
    Map<String, Verdict> verdicts,
    Optional<Duration> requeueAfter,
    RolloutFacts rollout,
    HealthGateEvaluator.Verdict gates,
    String createRevision,
    PrePullPlanner prePull) {

  /** This plan without its in-place patches (an in-place refusal's backoff holds them). */
  public PodPlan withoutInPlaceUpdates() {
    return new PodPlan(
        creates,
        surgeCreates,
        deletes,
        List.of(),
        events,
        backoffBumps,
        verdicts,
        requeueAfter,
        rollout,
        gates,
        createRevision,
        prePull);
  }

  /**
   * @param images the new image per container name
   * @param revision the update revision's hash, the pod's new revision label
   */
  public record InPlacePatch(Pod pod, Map<String, String> images, String revision) {}

  /**
   * Why the update of existing pods is held although the spec asks for it.
   *
   * @param reason the condition reason and event reason, such as InvalidSpec or PodTemplateRejected
   */
  public record Hold(String reason, String message) {}

  /**
   * @param desired nodes that should run the pod
   * @param target nodes that should end on the update revision: desired less those held back by
   *     partition or the update node selector (all desired nodes for OnDelete)
   * @param updated nodes whose pod is of the update revision
   * @param updatedAvailable nodes whose update-revision pod is available
   * @param blocking nodes without an available pod, with the cause, in node-name order
   * @param hold why the update of existing pods is held although the spec asks for it (a surge with
   *     host ports, a template the API server refuses, a revision marked bad, a failed health
   *     gate); null when nothing holds it
   * @param rolloutTarget nodes the whole rollout should reach; {@code target} is the current step's
   *     share of them
   * @param skippedNotReady NotReady nodes left out of the rollout until they are Ready
   * @param order the rollout order's current group and per-domain counts
   */
  public record RolloutFacts(
      int desired,
      int target,
      int updated,
      int updatedAvailable,
      List<BlockingNode> blocking,
      Hold hold,
      int rolloutTarget,
      int skippedNotReady,
      OrderFacts order) {

    public RolloutFacts(
        int desired,
        int target,
        int updated,
        int updatedAvailable,
        List<BlockingNode> blocking,
        Hold hold,
        int rolloutTarget,
        int skippedNotReady) {
      this(
          desired,
          target,
          updated,
          updatedAvailable,
          blocking,
          hold,
          rolloutTarget,
          skippedNotReady,
          OrderFacts.NONE);
    }

    public RolloutFacts withOrder(OrderFacts newOrder) {
      return new RolloutFacts(
          desired,
          target,
          updated,
          updatedAvailable,
          blocking,
          hold,
          rolloutTarget,
          skippedNotReady,
          newOrder);
    }

    public RolloutFacts(
        int desired, int target, int updated, int updatedAvailable, List<BlockingNode> blocking) {
      this(desired, target, updated, updatedAvailable, blocking, null, target, 0);
    }

    public RolloutFacts(
        int desired,
        int target,
        int updated,
        int updatedAvailable,
        List<BlockingNode> blocking,
        String heldBy) {
      this(
          desired,
          target,
          updated,
          updatedAvailable,
          blocking,
          heldBy == null ? null : new Hold(RolloutAssessor.INVALID_SPEC, heldBy),
          target,
          0);
    }

    /** The hold's message, null when nothing holds the update. */
    public String heldBy() {
      return hold == null ? null : hold.message();
    }
  }

  /**
   * @param orphan the pod's node is missing from the cache: deleted only once a live read confirms
   *     the node is gone ({@code PodWriter#deleteOrphan})
   * @param replaceOn the node that gets its update-revision pod in the same step, once this delete
   *     has succeeded (a rolling update without surge); null when nothing replaces the pod now
   */
  public record Deletion(Pod pod, String why, boolean orphan, String replaceOn) {
    public Deletion(Pod pod, String why) {
      this(pod, why, false, null);
    }

    public Deletion(Pod pod, String why, boolean orphan) {
      this(pod, why, orphan, null);
    }
  }

  public record PlannedEvent(boolean warning, String reason, String message) {}

  public boolean isEmpty() {
    return creates.isEmpty() && deletes.isEmpty() && inPlaceUpdates.isEmpty();
  }
}
