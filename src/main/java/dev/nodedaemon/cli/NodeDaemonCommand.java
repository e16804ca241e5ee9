package dev.nodedaemon.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A command about one NodeDaemon: the kubeconfig options, the NodeDaemon's name, and a connection
 * that is open for the run and closed after it.
 */
abstract class NodeDaemonCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin KubeOptions kube;

  @Parameters(index = "0", paramLabel = "NAME", description = "The NodeDaemon.")
  String name;

  @Override
  public final Integer call() {
    checkOptions();
    try (Cluster cluster = kube.connect()) {
      return run(cluster, spec.commandLine().getOut());
    }
  }

  /** Refuses wrong option values before anything is asked of the cluster. */
  void checkOptions() {}

  /**
   * @return the exit code ({@link ExitCodes})
   */
  abstract int run(Cluster cluster, PrintWriter out);
}
