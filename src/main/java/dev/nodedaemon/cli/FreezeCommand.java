package dev.nodedaemon.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/**
 * {@code freeze NAME} and {@code unfreeze NAME}: set and remove spec.frozen. While frozen the
 * operator makes no pod write at all for the NodeDaemon, not even on a node that joins (pause still
 * serves those): for incident response.
 */
final class FreezeCommand {

  private FreezeCommand() {}

  @Command(
      name = "freeze",
      description = {
        "Freeze the NodeDaemon: no pod is created, deleted or updated until unfreeze.",
        "Unlike pause, nodes that join get no pod either. For incident response."
      })
  static final class Freeze extends NodeDaemonCommand {
    @Override
    int run(Cluster cluster, PrintWriter out) {
      if (Boolean.TRUE.equals(cluster.nodeDaemon(name).getSpec().getFrozen())) {
        throw new CliException(Cluster.displayName(name) + " is already frozen");
      }
      cluster.mergePatch(name, Patches.merge().frozen(true).json());
      out.println(Cluster.displayName(name) + " frozen");
      return ExitCodes.OK;
    }
  }

  @Command(name = "unfreeze", description = "Lift a freeze: the operator writes pods again.")
  static final class Unfreeze extends NodeDaemonCommand {
    @Override
    int run(Cluster cluster, PrintWriter out) {
      if (!Boolean.TRUE.equals(cluster.nodeDaemon(name).getSpec().getFrozen())) {
        throw new CliException(Cluster.displayName(name) + " is not frozen");
      }
      cluster.mergePatch(name, Patches.merge().frozen(false).json());
      out.println(Cluster.displayName(name) + " unfrozen");
      return ExitCodes.OK;
    }
  }
}
