package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.api.UpdateStrategyType;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code promote NAME [--full]}. With steps (rollingUpdate.steps), it asks the operator to move
 * past the step status.rollout.step names ({@code spec.promote: {fromStep: N}}), which is
 * idempotent: two people promoting step 2 at once move the rollout one step; {@code --full} skips
 * every remaining pause ({@code spec.promote: {full: true}}). Without steps it lets a staged
 * rollout go to every node: unpauses, sets the partition to 0 and removes the update node selector,
 * whichever of them holds it back.
 */
@Command(
    name = "promote",
    description = {
      "Move a staged rollout on.",
      "With steps: ends the current step's pause or soak (--full: every remaining one). The"
          + " operator carries it out.",
      "Without steps: resumes it, sets rollingUpdate.partition to 0 and removes"
          + " rollingUpdate.nodeSelector."
    })
final class PromoteCommand extends NodeDaemonCommand {

  @Option(
      names = "--full",
      description = "Skip every remaining pause and soak of the rollout (with steps).")
  boolean full;

  @Override
  int run(Cluster cluster, PrintWriter out) {
    NodeDaemon nodeDaemon = cluster.nodeDaemon(name);
    if (StepView.staged(nodeDaemon)) {
      return promoteStep(cluster, nodeDaemon, out);
    }
    Patches.Merge patch = Patches.merge();
    List<String> done = new ArrayList<>();
    if (Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused())) {
      patch.paused(false);
      done.add("resumed");
    }
    Optional<IntOrString> partition = partition(nodeDaemon);
    if (partition.isPresent()) {
      patch.partitionZero();
      done.add("partition " + Output.intOrPercent(partition.get()) + " -> 0");
    }
    RollingUpdate rollingUpdate = rollingUpdate(nodeDaemon);
    if (rollingUpdate != null
        && rollingUpdate.getNodeSelector() != null
        && !rollingUpdate.getNodeSelector().isEmpty()) {
      patch.removeUpdateNodeSelector();
      done.add("update node selector removed");
    }
    if (done.isEmpty()) {
      throw new CliException(
          Cluster.displayName(name)
              + " has no staged rollout to promote (not paused, no partition, no update node"
              + " selector)");
    }
    cluster.mergePatch(name, patch.json());
    out.println(Cluster.displayName(name) + " promoted: " + String.join(", ", done));
    return ExitCodes.OK;
  }

  /**
   * The step comes from the operator's status, never from counting pods here: the operator ignores
   * a promote for a step it is not at, so a stale number cannot skip a step.
   */
  private int promoteStep(Cluster cluster, NodeDaemon nodeDaemon, PrintWriter out) {
    var status = nodeDaemon.getStatus();
    Optional<StepView> step = StepView.of(nodeDaemon);
    if (status != null && status.getPhase() == RolloutPhase.Complete) {
      throw new CliException(
          Cluster.displayName(name)
              + " has no staged rollout to promote (its rollout is complete)");
    }
    if (!full && step.isEmpty()) {
      throw new CliException(
          Cluster.displayName(name)
              + " has steps but the operator reports no current step yet (status.rollout.step);"
              + " try again, or use --full");
    }
    Patches.Merge patch =
        full ? Patches.merge().promoteFull() : Patches.merge().promoteFrom(step.get().step());
    List<String> also = new ArrayList<>();
    if (Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused())) {
      patch.paused(false);
      also.add("resumed");
    }
    cluster.mergePatch(name, patch.json());
    String what =
        full
            ? "full promote requested: every remaining pause and soak is skipped"
            : "promote past " + step.get().label() + " requested";
    out.println(
        Cluster.displayName(name)
            + " "
            + what
            + (also.isEmpty() ? "" : "; " + String.join(", ", also)));
    return ExitCodes.OK;
  }

  /** spec.updateStrategy.rollingUpdate, when the strategy is RollingUpdate. */
  static RollingUpdate rollingUpdate(NodeDaemon nodeDaemon) {
    UpdateStrategy strategy = nodeDaemon.getSpec().getUpdateStrategy();
    return strategy == null || strategy.effectiveType() != UpdateStrategyType.RollingUpdate
        ? null
        : strategy.getRollingUpdate();
  }

  /** The spec's partition when it holds any node back (not absent, 0 or 0%). */
  static Optional<IntOrString> partition(NodeDaemon nodeDaemon) {
    RollingUpdate rollingUpdate = rollingUpdate(nodeDaemon);
    IntOrString partition = rollingUpdate == null ? null : rollingUpdate.getPartition();
    if (partition == null
        || Integer.valueOf(0).equals(partition.getIntVal())
        || "0%".equals(partition.getStrVal())) {
      return Optional.empty();
    }
    return Optional.of(partition);
  }
}
