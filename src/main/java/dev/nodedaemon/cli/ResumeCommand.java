package dev.nodedaemon.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code resume NAME}: sets spec.paused to false; a partition, if any, still holds. */
@Command(
    name = "resume",
    description = {
      "Resume a paused rollout.",
      "A partition still holds its nodes back; promote lifts both."
    })
final class ResumeCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin KubeOptions kube;

  @Parameters(paramLabel = "NAME", description = "The NodeDaemon.")
  String name;

  @Override
  public Integer call() {
    try (Cluster cluster = kube.connect()) {
      if (!Boolean.TRUE.equals(cluster.nodeDaemon(name).getSpec().getPaused())) {
        throw new CliException(Cluster.displayName(name) + " is not paused");
      }
      cluster.mergePatch(name, Patches.merge().paused(false).json());
      spec.commandLine().getOut().println(Cluster.displayName(name) + " resumed");
      return ExitCodes.OK;
    }
  }
}
