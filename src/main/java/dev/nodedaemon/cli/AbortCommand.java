package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code abort NAME}: stops a rollout and returns every node to the revision the fleet ran before
 * it (status.currentRevision), through the operator's rollback. A staged rollout's hold is lifted
 * too: left paused the rollback would not move, and a partition would keep canaries on the revision
 * being abandoned (after the rollback they are the "old" pods a partition protects). With steps the
 * rollout is aborted at whatever step it is, soaking or waiting for a promote; a promote request
 * the operator has not carried out yet is withdrawn.
 */
@Command(
    name = "abort",
    description = {
      "Abort the rollout in progress: roll back to the revision the fleet ran before it.",
      "Also resumes a paused rollout and sets the partition to 0, so every node goes back."
    })
final class AbortCommand extends NodeDaemonCommand {

  @Override
  int run(Cluster cluster, PrintWriter out) {
    NodeDaemon nodeDaemon = cluster.nodeDaemon(name);
    NodeDaemonStatus status = nodeDaemon.getStatus();
    if (status == null || status.getCurrentRevision() == null) {
      throw new CliException(
          "node daemon \"" + name + "\" has no current revision in its status yet");
    }
    String stable = status.getCurrentRevision();
    if (stable.equals(TemplateRevision.hash(nodeDaemon))) {
      throw new CliException(
          "node daemon \""
              + name
              + "\" has no rollout in progress to abort (its template is the current revision "
              + stable
              + ")");
    }
    List<Revision> revisions = cluster.revisions(name);
    Revision target =
        Revision.withHash(revisions, stable)
            .orElseThrow(
                () ->
                    new CliException(
                        "the current revision "
                            + stable
                            + " of node daemon \""
                            + name
                            + "\" is no longer kept; revisions kept: "
                            + Revision.numbers(revisions)));
    Patches.Merge patch = Patches.merge().rollbackTo(target.revision());
    List<String> also = new ArrayList<>();
    if (Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused())) {
      patch.paused(false);
      also.add("resumed");
    }
    if (PromoteCommand.partition(nodeDaemon).isPresent()) {
      patch.partitionZero();
      also.add("partition set to 0");
    }
    // A promote still pending would otherwise apply to the steps of the rollback.
    if (nodeDaemon.getSpec().getPromote() != null) {
      patch.noPromote();
      also.add("pending promote dropped");
    }
    cluster.mergePatch(name, patch.json());
    out.println(
        Cluster.displayName(name)
            + " rollout aborted: rolling back to revision "
            + target.label()
            + (also.isEmpty() ? "" : "; " + String.join(", ", also)));
    return ExitCodes.OK;
  }
}
