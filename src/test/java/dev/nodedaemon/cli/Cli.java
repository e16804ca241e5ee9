package dev.nodedaemon.cli;

import dev.nodedaemon.testing.TestFleet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs the plugin in-process against a test's fleet, as {@code kubectl nodedaemon ARGS --kubeconfig
 * <cluster> -n <namespace>} would: the real command line and its error handling, with stdout and
 * stderr captured.
 */
record Cli(int exitCode, String out, String err) {

  static Cli run(TestFleet fleet, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--kubeconfig=" + fleet.cluster().kubeconfig());
    all.add("--namespace=" + fleet.namespace());
    CommandLine commandLine = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(all.toArray(String[]::new));
    commandLine.getOut().flush();
    commandLine.getErr().flush();
    return new Cli(code, out.toString(), err.toString());
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }
}
