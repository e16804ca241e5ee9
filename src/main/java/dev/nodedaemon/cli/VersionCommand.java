package dev.nodedaemon.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code version}: the plugin's version, as {@code kubectl version --client} prints kubectl's. The
 * same line as {@code --version}; kubectl users type the subcommand.
 */
@Command(name = "version", description = "Print the plugin's version.")
final class VersionCommand implements Runnable {

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    for (String line : new Main.Version().getVersion()) {
      spec.commandLine().getOut().println(line);
    }
    spec.commandLine().getOut().flush();
  }
}
