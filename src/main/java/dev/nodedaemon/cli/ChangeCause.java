package dev.nodedaemon.cli;

import picocli.CommandLine.Option;

/**
 * {@code --change-cause}: the {@code kubernetes.io/change-cause} annotation a template-changing
 * command sets on the NodeDaemon, which the operator's revision store copies into the new revision.
 * Always set (by default to the command itself), as {@code kubectl --record} did: otherwise the
 * previous change's cause would be copied onto this revision.
 */
final class ChangeCause {

  @Option(
      names = "--change-cause",
      paramLabel = "TEXT",
      description =
          "Change cause recorded with the new revision. Default: the command, such as"
              + " \"kubectl nodedaemon set image agent fluentd=fluentd:v2.6\".")
  String text;

  String orDefault(String command) {
    return text != null ? text : "kubectl nodedaemon " + command;
  }
}
