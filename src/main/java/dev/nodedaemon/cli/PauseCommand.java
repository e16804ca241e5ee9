package dev.nodedaemon.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pause NAME}: sets spec.paused; no old pod is replaced until resume or promote. */
@Command(
    name = "pause",
    description = {
      "Pause the rollout: no old pod is replaced until resume.",
      "Nodes that join still get a pod, and failed pods are still replaced."
    })
final class PauseCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin KubeOptions kube;

  @Parameters(paramLabel = "NAME", description = "The NodeDaemon.")
  String name;

  @Override
  public Integer call() {
    try (Cluster cluster = kube.connect()) {
      if (Boolean.TRUE.equals(cluster.nodeDaemon(name).getSpec().getPaused())) {
        throw new CliException(Cluster.displayName(name) + " is already paused");
      }
      cluster.mergePatch(name, Patches.merge().paused(true).json());
      spec.commandLine().getOut().println(Cluster.displayName(name) + " paused");
      return ExitCodes.OK;
    }
  }
}
