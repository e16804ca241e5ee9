package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code restart NAME}: like {@code kubectl rollout restart}, stamps the pod template with {@code
 * nodedaemon.dev/restartedAt}, which makes a new revision that rolls out under the NodeDaemon's
 * update strategy.
 */
@Command(
    name = "restart",
    description = "Replace every pod, one rollout step at a time, by a new revision.")
final class RestartCommand extends NodeDaemonCommand {
  @Mixin ChangeCause changeCause;

  @Override
  int run(Cluster cluster, PrintWriter out) {
    NodeDaemon nodeDaemon = cluster.nodeDaemon(name);
    if (Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused())) {
      throw new CliException(
          "can't restart paused node daemon \""
              + name
              + "\" (run kubectl nodedaemon resume "
              + name
              + " first)");
    }
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    cluster.mergePatch(
        name,
        Patches.merge()
            .templateAnnotation(Patches.RESTARTED_AT, now)
            .changeCause(changeCause.orDefault("restart " + name))
            .json());
    out.println(Cluster.displayName(name) + " restarted");
    return ExitCodes.OK;
  }
}
