package dev.nodedaemon.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code resume NAME}: sets spec.paused to false; a partition, if any, still holds. */
@Command(
    name = "resume",
    description = {
      "Resume a paused rollout.",
      "A partition still holds its nodes back; promote lifts both."
    })
final class ResumeCommand extends NodeDaemonCommand {

  @Override
  int run(Cluster cluster, PrintWriter out) {
    if (!Boolean.TRUE.equals(cluster.nodeDaemon(name).getSpec().getPaused())) {
      throw new CliException(Cluster.displayName(name) + " is not paused");
    }
    cluster.mergePatch(name, Patches.merge().paused(false).json());
    out.println(Cluster.displayName(name) + " resumed");
    return ExitCodes.OK;
  }
}
