package dev.nodedaemon.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where to connect and as whom, as kubectl takes it. Declared once on {@link Main} and inherited by
 * every subcommand, so each flag works before or after the subcommand, as with kubectl: {@code
 * kubectl nodedaemon -n seeds status NAME} and {@code kubectl nodedaemon status NAME -n seeds}.
 * picocli binds an inherited option to this one instance wherever it is given.
 */
final class KubeOptions {

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Kubeconfig file. Default: $KUBECONFIG, else ~/.kube/config.")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description = "Kubeconfig context to use.")
  String context;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      scope = ScopeType.INHERIT,
      description = "Namespace of the NodeDaemon. Default: the context's namespace, else default.")
  String namespace;

  @Option(
      names = {"-A", "--all-namespaces"},
      scope = ScopeType.INHERIT,
      description = "List NodeDaemons in every namespace (get, list).")
  boolean allNamespaces;

  @Option(
      names = "--request-timeout",
      paramLabel = "DURATION",
      scope = ScopeType.INHERIT,
      description =
          "How long to wait for one API request, such as 5s or 1m; 0 (default) waits as long as"
              + " the client's own limits allow.")
  String requestTimeout;

  @Option(
      names = "--as",
      paramLabel = "USER",
      scope = ScopeType.INHERIT,
      description = "User to impersonate for the operation.")
  String as;

  @Option(
      names = "--as-group",
      paramLabel = "GROUP",
      scope = ScopeType.INHERIT,
      description = "Group to impersonate for the operation; repeat for several.")
  List<String> asGroups;

  /** The one instance, on the root command, whichever subcommand is running. */
  static KubeOptions of(CommandSpec spec) {
    return ((Main) spec.root().userObject()).kube;
  }

  /** --request-timeout parsed; zero when not given or 0. */
  Duration requestTimeout() {
    if (requestTimeout == null) {
      return Duration.ZERO;
    }
    try {
      return Output.duration(requestTimeout);
    } catch (IllegalArgumentException e) {
      throw new CliException("--request-timeout: " + e.getMessage(), ExitCodes.USAGE);
    }
  }

  /** For a command about one NodeDaemon: -A cannot name it, as kubectl says. */
  void refuseAllNamespaces() {
    if (allNamespaces) {
      throw new CliException(
          "a resource cannot be retrieved by name across all namespaces", ExitCodes.USAGE);
    }
  }

  Cluster connect() {
    return Cluster.connect(this);
  }
}
