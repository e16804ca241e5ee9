package dev.nodedaemon.cli;

import dev.nodedaemon.api.BlockingNode;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.api.UpdateStrategyType;
import dev.nodedaemon.plan.RollingUpdatePlanner;
import dev.nodedaemon.plan.RolloutAssessor;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * Where a NodeDaemon's rollout stands, as {@code status} reports it. Pure: the command watches the
 * NodeDaemon and asks this after every change.
 *
 * <ol>
 *   <li>A status whose observedGeneration is behind metadata.generation describes an older spec:
 *       nothing in it is trusted ("waiting for the spec update to be observed"). Nor is it while
 *       spec.rollbackTo waits for the operator to restore a template.
 *   <li>When the operator fills in status.phase, the phase decides: Complete and Failed end the
 *       wait; a Failed condition counts as Failed too, and so does a rollout the operator holds
 *       because its spec cannot work (Paused with reason InvalidSpec).
 *   <li>Without a phase (an operator from before phases), the counters decide, as kubectl's
 *       DaemonSet status viewer does: complete when every node that should be updated is (all of
 *       them less a partition) and every node's pod is available.
 * </ol>
 */
record RolloutState(Result result, String message) {

  enum Result {
    /** The operator has not yet seen the latest spec, or pods are still moving. */
    WAITING,
    /** spec.paused holds the rollout; someone must resume or promote it. */
    PAUSED,
    COMPLETE,
    FAILED
  }

  boolean done() {
    return result == Result.COMPLETE || result == Result.FAILED;
  }

  static RolloutState of(NodeDaemon nodeDaemon) {
    String name = nodeDaemon.getMetadata().getName();
    NodeDaemonStatus status = nodeDaemon.getStatus();
    Long generation = nodeDaemon.getMetadata().getGeneration();
    if (status == null
        || status.getObservedGeneration() == null
        || (generation != null && status.getObservedGeneration() < generation)) {
      return new RolloutState(
          Result.WAITING, "Waiting for node daemon spec update to be observed...");
    }
    if (nodeDaemon.getSpec().getRollbackTo() != null) {
      Long to = nodeDaemon.getSpec().getRollbackTo().getRevision();
      return new RolloutState(
          Result.WAITING,
          "Waiting for the operator to roll node daemon \""
              + name
              + "\" back to "
              + (to == null || to == 0 ? "the previous revision" : "revision " + to)
              + "...");
    }
    int desired = count(status.getDesiredNumberScheduled());
    int updated = count(status.getUpdatedNumberScheduled());
    int available = count(status.getNumberAvailable());
    int updatedAvailable = updatedAvailable(status);
    RolloutPhase phase = status.getPhase();
    if (phase == RolloutPhase.Failed || conditionTrue(status, "Failed")) {
      return new RolloutState(Result.FAILED, failedMessage(name, status));
    }
    if (phase == RolloutPhase.Complete) {
      return new RolloutState(
          Result.COMPLETE, "node daemon \"" + name + "\" successfully rolled out");
    }
    // Held by a spec that cannot work: nothing will move until someone changes it, so waiting
    // would only hang a pipeline. Reported as a failure with the operator's reason.
    java.util.Optional<Condition> held =
        condition(status, "Paused")
            .filter(
                c ->
                    "True".equals(c.getStatus())
                        && RolloutAssessor.INVALID_SPEC.equals(c.getReason()));
    if (phase == RolloutPhase.Paused && held.isPresent()) {
      return new RolloutState(
          Result.FAILED,
          "node daemon \"" + name + "\" rollout is held: " + held.get().getMessage());
    }
    String what = phase == RolloutPhase.RollingBack ? "rollback" : "rollout";
    if (phase == RolloutPhase.Paused
        || (phase == null && Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused()))) {
      return new RolloutState(
          Result.PAUSED,
          "node daemon \""
              + name
              + "\" "
              + what
              + " is paused: "
              + updated
              + " out of "
              + desired
              + " new pods have been updated (continue it with: kubectl nodedaemon resume "
              + name
              + ")");
    }
    int target = desired - partitionCount(nodeDaemon, desired);
    if (updated < target) {
      return waiting(name, what, updated + " out of " + target + " new pods have been updated...");
    }
    if (updatedAvailable < target || available < desired) {
      return waiting(
          name,
          what,
          Math.min(updatedAvailable, available)
              + " of "
              + desired
              + " updated pods are available...");
    }
    if (phase == null) {
      return new RolloutState(
          Result.COMPLETE,
          target < desired
              ? "partitioned roll out complete: "
                  + updated
                  + " new pods have been updated on node daemon \""
                  + name
                  + "\""
              : "node daemon \"" + name + "\" successfully rolled out");
    }
    return waiting(name, what, "phase " + phase + "...");
  }

  private static RolloutState waiting(String name, String what, String detail) {
    return new RolloutState(
        Result.WAITING,
        "Waiting for node daemon \"" + name + "\" " + what + " to finish: " + detail);
  }

  private static String failedMessage(String name, NodeDaemonStatus status) {
    String reason =
        condition(status, "Failed")
            .filter(c -> "True".equals(c.getStatus()))
            .or(() -> condition(status, "Progressing"))
            .map(c -> c.getMessage() == null ? c.getReason() : c.getMessage())
            .orElse(null);
    return "node daemon \"" + name + "\" rollout failed" + (reason == null ? "" : ": " + reason);
  }

  /**
   * Reasons every node shows for a moment while its pod is replaced; a progress report names a
   * blocking node only for the other reasons (a crash loop, an image that cannot be pulled, no room
   * on the node), and a failed rollout names them all.
   */
  private static final java.util.Set<String> IN_PASSING =
      java.util.Set.of("PodMissing", "NotReady", "Pending", "ContainerCreating");

  /** The blocking nodes as indented lines: {@code node-3: CrashLoopBackOff (message)}. */
  static List<String> blockingLines(NodeDaemonStatus status, boolean all) {
    List<BlockingNode> blocking =
        status == null || status.getBlockingNodes() == null ? List.of() : status.getBlockingNodes();
    return blocking.stream()
        .filter(b -> all || !IN_PASSING.contains(b.getReason()))
        .map(
            b ->
                "  "
                    + b.getNode()
                    + ": "
                    + b.getReason()
                    + (b.getMessage() == null || b.getMessage().isEmpty()
                        ? ""
                        : " (" + b.getMessage() + ")"))
        .toList();
  }

  /**
   * The nodes a partition keeps on the old revision, of {@code desired}: a count, or a percentage
   * rounded up, as the operator computes it.
   */
  static int partitionCount(NodeDaemon nodeDaemon, int desired) {
    UpdateStrategy strategy = nodeDaemon.getSpec().getUpdateStrategy();
    if (strategy == null
        || strategy.effectiveType() != UpdateStrategyType.RollingUpdate
        || strategy.getRollingUpdate() == null) {
      return 0;
    }
    return Math.min(
        desired,
        RollingUpdatePlanner.scaled(strategy.getRollingUpdate().getPartition(), desired, 0));
  }

  /** Nodes on the update revision whose pod is available; older operators did not report it. */
  static int updatedAvailable(NodeDaemonStatus status) {
    return status.getUpdatedNumberAvailable() != null
        ? status.getUpdatedNumberAvailable()
        : Math.min(count(status.getUpdatedNumberScheduled()), count(status.getNumberAvailable()));
  }

  private static int count(Integer value) {
    return value == null ? 0 : value;
  }

  private static boolean conditionTrue(NodeDaemonStatus status, String type) {
    return condition(status, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  private static java.util.Optional<Condition> condition(NodeDaemonStatus status, String type) {
    return status.getConditions() == null
        ? java.util.Optional.empty()
        : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
