package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code undo NAME [--to-revision N]}: asks the operator to roll back by setting {@code
 * spec.rollbackTo.revision}; the operator restores that revision's template, clears the request and
 * records status.lastRollback. The revision is resolved and checked here first, so a typo fails at
 * once instead of in the operator's status.
 */
@Command(
    name = "undo",
    description = {
      "Roll back to the previous revision, or to --to-revision N.",
      "The operator performs the rollback; follow it with: kubectl nodedaemon status NAME"
    })
final class UndoCommand extends NodeDaemonCommand {

  @Option(
      names = "--to-revision",
      paramLabel = "N",
      defaultValue = "0",
      description = "The revision to restore; 0 (default) is the one before the current template.")
  long toRevision;

  @Override
  void checkOptions() {
    if (toRevision < 0) {
      throw new CliException("--to-revision must be 0 or a revision number", ExitCodes.USAGE);
    }
  }

  @Override
  int run(Cluster cluster, PrintWriter out) {
    NodeDaemon nodeDaemon = cluster.nodeDaemon(name);
    List<Revision> revisions = cluster.revisions(name);
    String currentHash = TemplateRevision.hash(nodeDaemon);
    Revision target;
    if (toRevision == 0) {
      target =
          revisions.stream()
              .filter(r -> !currentHash.equals(r.hash()))
              .max(Comparator.comparingLong(Revision::revision))
              .orElseThrow(
                  () ->
                      new CliException(
                          "no previous revision of node daemon \""
                              + name
                              + "\" to roll back to; revisions kept: "
                              + Revision.numbers(revisions)));
    } else {
      target =
          Revision.number(revisions, toRevision)
              .orElseThrow(
                  () ->
                      new CliException(
                          "unable to find revision "
                              + toRevision
                              + " of node daemon \""
                              + name
                              + "\"; revisions kept: "
                              + Revision.numbers(revisions)));
    }
    if (currentHash.equals(target.hash())) {
      spec.commandLine()
          .getOut()
          .println(
              Cluster.displayName(name)
                  + " skipped rollback (current template already matches revision "
                  + target.revision()
                  + ")");
      return ExitCodes.OK;
    }
    // No change-cause write: the operator restores the template (and the revision keeps its
    // cause); an annotation written now could land on the revision being left.
    cluster.mergePatch(name, Patches.merge().rollbackTo(target.revision()).json());
    out.println(
        Cluster.displayName(name) + " rollback to revision " + target.label() + " requested");
    return ExitCodes.OK;
  }
}
