package dev.nodedaemon.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where to connect, as kubectl takes it: every command mixes these in. */
final class KubeOptions {

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "Kubeconfig file. Default: $KUBECONFIG, else ~/.kube/config.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context to use.")
  String context;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description = "Namespace of the NodeDaemon. Default: the context's namespace, else default.")
  String namespace;

  Cluster connect() {
    return Cluster.connect(kubeconfig, context, namespace);
  }
}
