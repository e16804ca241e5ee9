package dev.nodedaemon.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kubectl-nodedaemon}: what {@code kubectl rollout} does for DaemonSets, for NodeDaemons,
 * and more. A plain main (no Quarkus, no CDI) so it starts fast; {@code bin/kubectl-nodedaemon}
 * runs it from the packaged operator's jars.
 *
 * <p>Exit codes: {@value ExitCodes#OK} done; {@value ExitCodes#FAILED} the rollout failed or the
 * command could not be carried out; {@value ExitCodes#USAGE} bad arguments; {@value
 * ExitCodes#NOT_COMPLETE} {@code status} stopped before the rollout finished (timeout, or {@code
 * --watch=false} on an unfinished rollout).
 */
@Command(
    name = "kubectl nodedaemon",
    mixinStandardHelpOptions = true,
    // -h/--help (and -V) on every subcommand too: `kubectl nodedaemon status --help`.
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = Main.Version.class,
    description = "Watch, pause, canary and undo NodeDaemon rollouts.",
    subcommands = {
      GetCommand.class,
      StatusCommand.class,
      HistoryCommand.class,
      NodesCommand.class,
      UndoCommand.class,
      PauseCommand.class,
      ResumeCommand.class,
      RestartCommand.class,
      SetCommand.class,
      PromoteCommand.class,
      AbortCommand.class,
      MigrateCommand.class,
      RetryCommand.class,
      FreezeCommand.Freeze.class,
      FreezeCommand.Unfreeze.class,
      CompletionCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  done (status: the rollout is complete)",
      "  1  the rollout failed, or the command could not be carried out",
      "  2  bad arguments",
      "  3  status stopped before the rollout finished (--timeout, or --watch=false)"
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The connection flags, inherited by every subcommand (see {@link KubeOptions}). */
  @CommandLine.Mixin KubeOptions kube;

  /** The command line with NodeDaemon's error handling; tests call this in-process. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          if (e instanceof CliException failure) {
            cmd.getErr().println(failure.line());
            cmd.getErr().flush();
            return failure.exitCode();
          }
          String line = Errors.describe(e);
          // The API server's answers read as kubectl prints them; anything else is an error.
          cmd.getErr().println(line.startsWith(Errors.FROM_SERVER) ? line : "error: " + line);
          cmd.getErr().flush();
          return ExitCodes.FAILED;
        });
    return commandLine;
  }

  public static void main(String[] args) {
    quietLogging();
    if (args.length > 0 && args[0].equals(COMPLETE)) {
      PrintWriter out = new PrintWriter(System.out, true);
      System.exit(CompletionCommand.complete(List.of(args).subList(1, args.length), out));
    }
    CommandLine commandLine = commandLine();
    int code = commandLine.execute(args);
    commandLine.getOut().flush();
    commandLine.getErr().flush();
    // Vert.x threads must not keep the JVM alive once the answer is printed.
    System.exit(code);
  }

  /** fabric8 logs through JUL/SLF4J; a CLI shows only what it prints itself. */
  static void quietLogging() {
    Logger.getLogger("").setLevel(Level.SEVERE);
  }

  /** The hidden command shells and kubectl call to complete a word (see {@link Completion}). */
  static final String COMPLETE = "__complete";

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * The distribution's launcher names its version in {@value #VERSION_PROPERTY} (the Quarkus
   * application jar has no Implementation-Version); run from a clone it is "(development)".
   */
  static final class Version implements CommandLine.IVersionProvider {
    static final String VERSION_PROPERTY = "nodedaemon.version";

    @Override
    public String[] getVersion() {
      String version = System.getProperty(VERSION_PROPERTY);
      if (version == null) {
        version = Main.class.getPackage().getImplementationVersion();
      }
      return new String[] {"kubectl-nodedaemon " + (version == null ? "(development)" : version)};
    }
  }
}
