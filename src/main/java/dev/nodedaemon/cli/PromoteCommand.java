package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RollingUpdate;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code promote NAME}: lets a staged rollout go to every node: unpauses, sets the partition to 0
 * and removes the update node selector, whichever of them holds it back.
 */
@Command(
    name = "promote",
    description = {
      "Let a staged rollout (canary) go to every node.",
      "Resumes it, sets rollingUpdate.partition to 0 and removes rollingUpdate.nodeSelector."
    })
final class PromoteCommand extends NodeDaemonCommand {

  @Override
  int run(Cluster cluster, PrintWriter out) {
    NodeDaemon nodeDaemon = cluster.nodeDaemon(name);
    Patches.Merge patch = Patches.merge();
    List<String> done = new ArrayList<>();
    if (Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused())) {
      patch.paused(false);
      done.add("resumed");
    }
    if (RolloutState.partitionCount(nodeDaemon, Integer.MAX_VALUE) > 0) {
      patch.partitionZero();
      IntOrString partition =
          nodeDaemon.getSpec().getUpdateStrategy().getRollingUpdate().getPartition();
      done.add(
          "partition "
              + (partition.getIntVal() != null ? partition.getIntVal() : partition.getStrVal())
              + " -> 0");
    }
    RollingUpdate rollingUpdate =
        nodeDaemon.getSpec().getUpdateStrategy() == null
            ? null
            : nodeDaemon.getSpec().getUpdateStrategy().getRollingUpdate();
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
}
