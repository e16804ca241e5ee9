package dev.nodedaemon.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A command about one NodeDaemon: its name, and a connection (from the inherited {@link
 * KubeOptions}) that is open for the run and closed after it.
 */
abstract class NodeDaemonCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The NodeDaemon.")
  String name;

  @Override
  public final Integer call() {
    KubeOptions kube = KubeOptions.of(spec);
    kube.refuseAllNamespaces();
    checkOptions();
    try (Cluster cluster = kube.connect()) {
      return cluster.explaining(() -> run(cluster, spec.commandLine().getOut()));
    }
  }

  /** Refuses wrong option values before anything is asked of the cluster. */
  void checkOptions() {}

  /**
   * @return the exit code ({@link ExitCodes})
   */
  abstract int run(Cluster cluster, PrintWriter out);
}
