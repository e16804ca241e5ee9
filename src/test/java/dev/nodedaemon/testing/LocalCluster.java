package dev.nodedaemon.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real control plane (etcd, kube-apiserver, kube-scheduler, kube-controller-manager, kwok) on
 * loopback, started and stopped through {@code hack/cluster}: the same entry point people, the demo
 * and the benchmarks use.
 */
public final class LocalCluster implements AutoCloseable {

  private static final Pattern KUBECONFIG_LINE = Pattern.compile("^export KUBECONFIG=(.+)$");
  private static final Pattern PATH_LINE = Pattern.compile("^export PATH=([^:]+):\\$PATH$");

  private final String name;
  private final Path kubeconfig;
  private final Path binDir;
  private final KubernetesClient client;

  private LocalCluster(String name, Path kubeconfig, Path binDir) {
    this.name = name;
    this.kubeconfig = kubeconfig;
    this.binDir = binDir;
    this.client = newClient();
  }

  /** Starts a cluster with {@code nodes} Ready kwok nodes, named {@code node-0}, ... */
  public static LocalCluster up(String name, int nodes) {
    return up(name, nodes, List.of());
  }

  /**
   * @param extraArgs more arguments to {@code hack/cluster up}, such as {@code
   *     --daemonset-controller}
   */
  public static LocalCluster up(String name, int nodes, List<String> extraArgs) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(script().toString(), "up", "--name", name, "--nodes", Integer.toString(nodes)));
    command.addAll(extraArgs);
    String out = Commands.run(Duration.ofMinutes(30), command);
    Path kubeconfig = null;
    Path binDir = null;
    for (String line : out.split("\n")) {
      Matcher k = KUBECONFIG_LINE.matcher(line.trim());
      if (k.matches()) {
        kubeconfig = Path.of(k.group(1));
      }
      Matcher p = PATH_LINE.matcher(line.trim());
      if (p.matches()) {
        binDir = Path.of(p.group(1));
      }
    }
    if (kubeconfig == null || binDir == null) {
      throw new IllegalStateException("hack/cluster up printed no export lines:\n" + out);
    }
    return new LocalCluster(name, kubeconfig, binDir);
  }

  public static Path projectDir() {
    String dir = System.getProperty("nodedaemon.project.dir");
    return dir == null ? Path.of("").toAbsolutePath() : Path.of(dir);
  }

  static Path script() {
    return projectDir().resolve("hack/cluster");
  }

  public String name() {
    return name;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** Where the cluster's binaries are, kubectl among them (hack/cluster's export PATH line). */
  public Path binDir() {
    return binDir;
  }

  /** The cluster's state directory: data, certificates, logs and pid files. */
  public Path stateDir() {
    return kubeconfig.getParent();
  }

  public KubernetesClient client() {
    return client;
  }

  /** A fresh client, for code that must not share the cached one. */
  public KubernetesClient newClient() {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      config.setRequestTimeout(30_000);
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The cluster's audit log: every API write, and service accounts' reads. */
  public AuditLog auditLog() {
    return new AuditLog(stateDir().resolve("audit.log"));
  }

  /**
   * Writes a kubeconfig that authenticates as the service account {@code namespace/name} with a
   * token from the TokenRequest API ({@code kubectl create token}), as a pod of it would.
   */
  public Path serviceAccountKubeconfig(String namespace, String name) {
    String token = kubectl("create", "token", name, "-n", namespace, "--duration=2h").trim();
    Config admin = client.getConfiguration();
    String kubeconfigText =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            certificate-authority-data: %3$s
        users:
        - name: %4$s
          user:
            token: %5$s
        contexts:
        - name: %4$s
          context:
            cluster: %1$s
            user: %4$s
            namespace: %6$s
        current-context: %4$s
        """
            .formatted(
                this.name,
                admin.getMasterUrl(),
                admin.getCaCertData(),
                "sa-" + namespace + "-" + name,
                token,
                namespace);
    Path file = stateDir().resolve("kubeconfigs/sa-" + namespace + "-" + name + ".kubeconfig");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, kubeconfigText);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Runs the kubectl that was built with this cluster's binaries. */
  public String kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binDir.resolve("kubectl").toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return Commands.run(Duration.ofMinutes(2), command);
  }

  /** Like {@link #kubectl} but returns the outcome instead of failing on a non-zero exit. */
  public Commands.Result tryKubectl(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binDir.resolve("kubectl").toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return Commands.tryRun(Duration.ofMinutes(2), command, stdin);
  }

  /** Runs a {@code hack/cluster} subcommand against this cluster. */
  public String cluster(String subcommand, String... args) {
    List<String> command = new ArrayList<>();
    command.add(script().toString());
    command.add(subcommand);
    command.add("--name");
    command.add(name);
    command.addAll(List.of(args));
    return Commands.run(Duration.ofMinutes(10), command);
  }

  /**
   * Restarts kube-apiserver in place (same port, data and certificates; {@code hack/cluster
   * restart-apiserver}); returns once it is ready again. Clients' connections and watches break.
   */
  public void restartApiServer() {
    cluster("restart-apiserver");
  }

  @Override
  public void close() {
    client.close();
    Commands.run(Duration.ofMinutes(2), List.of(script().toString(), "down", "--name", name));
  }
}
