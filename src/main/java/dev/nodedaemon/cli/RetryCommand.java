package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code retry NAME}: asks the operator to roll out again the current template's revision after its
 * health gates failed and marked it bad ({@code spec.retry: true}; the operator clears the mark and
 * removes the field). Refused when that revision is not marked bad: there is nothing to retry, and
 * a stray spec.retry would sit in the spec.
 */
@Command(
    name = "retry",
    description = {
      "Roll out again a revision the operator marked bad (its health gates failed).",
      "Works on the current template's revision: re-apply the template first if it was rolled"
          + " back."
    })
final class RetryCommand extends NodeDaemonCommand {

  @Override
  int run(Cluster cluster, PrintWriter out) {
    NodeDaemon nodeDaemon = cluster.nodeDaemon(name);
    String hash = TemplateRevision.hash(nodeDaemon);
    List<Revision> revisions = cluster.revisions(name);
    Revision current =
        Revision.withHash(revisions, hash)
            .orElseThrow(
                () ->
                    new CliException(
                        "node daemon \""
                            + name
                            + "\" has no revision for its current template ("
                            + hash
                            + ") yet; nothing to retry"));
    if (!current.markedBad()) {
      List<Revision> bad = revisions.stream().filter(Revision::markedBad).toList();
      throw new CliException(
          "revision "
              + current.label()
              + " of node daemon \""
              + name
              + "\" is not marked bad; nothing to retry"
              + (bad.isEmpty()
                  ? ""
                  : " (marked bad: revision "
                      + Revision.numbers(bad)
                      + "; to retry one, apply its template first, for example with: kubectl"
                      + " nodedaemon undo "
                      + name
                      + " --to-revision "
                      + bad.getLast().revision()
                      + ")"));
    }
    cluster.mergePatch(name, Patches.merge().retry().json());
    out.println(
        Cluster.displayName(name)
            + " retry of revision "
            + current.label()
            + " requested (it was marked bad: "
            + current.bad()
            + ")");
    return ExitCodes.OK;
  }
}
