package dev.nodedaemon.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code history NAME [--revision N]}: like {@code kubectl rollout history}, from the
 * ControllerRevisions the operator keeps for the NodeDaemon.
 */
@Command(
    name = "history",
    description = "List the NodeDaemon's revisions, or show one revision's pod template.")
final class HistoryCommand extends NodeDaemonCommand {

  @Option(
      names = "--revision",
      paramLabel = "N",
      description = "Show this revision's pod template, hash and change cause.")
  Long revision;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "json or yaml.")
  OutputFormat output;

  @Override
  void checkOptions() {
    if (output == OutputFormat.wide) {
      throw new CliException("history prints json or yaml, not wide", ExitCodes.USAGE);
    }
  }

  @Override
  int run(Cluster cluster, PrintWriter out) {
    cluster.nodeDaemon(name);
    List<Revision> revisions = cluster.revisions(name);
    if (revision != null) {
      Revision one =
          Revision.number(revisions, revision)
              .orElseThrow(
                  () ->
                      new CliException(
                          "unable to find revision "
                              + revision
                              + " of node daemon \""
                              + name
                              + "\"; revisions kept: "
                              + Revision.numbers(revisions)));
      if (output != null) {
        Output.machine(out, output, one);
      } else {
        out.print(describe(one));
      }
      return ExitCodes.OK;
    }
    if (output != null) {
      Output.machine(out, output, revisions.stream().map(Revision::withoutTemplate).toList());
      return ExitCodes.OK;
    }
    if (revisions.isEmpty()) {
      out.println("No rollout history found for node daemon \"" + name + "\".");
      return ExitCodes.OK;
    }
    out.println(Cluster.displayName(name));
    out.print(table(revisions));
    return ExitCodes.OK;
  }

  /**
   * REVISION, HASH, CHANGE-CAUSE as kubectl rollout history prints them; a MARKED-BAD column with
   * the operator's reason is added when any revision is marked bad.
   */
  static String table(List<Revision> revisions) {
    boolean anyBad = revisions.stream().anyMatch(Revision::markedBad);
    List<String> header =
        anyBad
            ? List.of("REVISION", "HASH", "CHANGE-CAUSE", "MARKED-BAD")
            : List.of("REVISION", "HASH", "CHANGE-CAUSE");
    List<List<String>> rows =
        revisions.stream()
            .map(
                r ->
                    anyBad
                        ? List.of(
                            Long.toString(r.revision()),
                            Output.orNone(r.hash()),
                            Output.orNone(r.changeCause()),
                            r.markedBad() ? r.bad() : "-")
                        : List.of(
                            Long.toString(r.revision()),
                            Output.orNone(r.hash()),
                            Output.orNone(r.changeCause())))
            .toList();
    return Output.table(header, rows);
  }

  /** One revision for people: a header, its hash and cause, then its pod template as YAML. */
  String describe(Revision one) {
    StringBuilder text = new StringBuilder();
    text.append(Cluster.displayName(name))
        .append(" with revision #")
        .append(one.revision())
        .append('\n');
    text.append("Hash:          ").append(Output.orNone(one.hash())).append('\n');
    text.append("Revision:      ").append(one.name()).append('\n');
    text.append("Change-Cause:  ").append(Output.orNone(one.changeCause())).append('\n');
    if (one.markedBad()) {
      text.append("Marked-Bad:    ").append(one.bad()).append('\n');
    }
    text.append("Pod Template:\n");
    String yaml = one.template() == null ? "<none>\n" : Output.yaml(one.template());
    yaml.lines().forEach(line -> text.append("  ").append(line).append('\n'));
    return text.toString();
  }
}
