package dev.nodedaemon.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code pause NAME}: sets spec.paused; no old pod is replaced until resume or promote. */
@Command(
    name = "pause",
    description = {
      "Pause the rollout: no old pod is replaced until resume.",
      "Nodes that join still get a pod, and failed pods are still replaced."
    })
final class PauseCommand extends NodeDaemonCommand {

  @Override
  int run(Cluster cluster, PrintWriter out) {
    if (Boolean.TRUE.equals(cluster.nodeDaemon(name).getSpec().getPaused())) {
      throw new CliException(Cluster.displayName(name) + " is already paused");
    }
    cluster.mergePatch(name, Patches.merge().paused(true).json());
    out.println(Cluster.displayName(name) + " paused");
    return ExitCodes.OK;
  }
}
