package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.build.OperatorImage;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.DeploymentEnvironment;
import dev.nodedaemon.testing.Helm;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.Podman;
import dev.nodedaemon.testing.StatusChecks;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's image, as the build made it ({@code -Dimage}:
 * target/nodedaemon-operator-image.tar), loaded into podman and run against a real control plane
 * the way the chart runs it: the chart is installed (ServiceAccount, RBAC, CRD, Deployment), and
 * the container gets the Deployment's environment, a token of the chart's ServiceAccount, a
 * read-only root filesystem with a tmpfs on /tmp (the chart's emptyDir), an arbitrary non-root UID
 * (as OpenShift assigns), no capabilities and no privilege escalation. Fake nodes run no
 * containers, so the container runs beside the control plane on the host network. The operator in
 * it places pods on the kwok nodes and rolls an update to Complete, then stops cleanly on SIGTERM.
 *
 * <p>Prints the image size and the start time in the container (container start to the operator's
 * "started" log line, and to its first reconcile) for bench/results/container-image.md.
 */
class ContainerImageIT {

  private static final String RELEASE = "nodedaemon";
  private static final String RELEASE_NAMESPACE = "nodedaemon-system";

  /** Not the image's 185 and in no passwd file: an OpenShift-style assigned UID. */
  private static final String ASSIGNED_UID = "1000650000";

  private static final String CONTAINER = "nodedaemon-it-" + ProcessHandle.current().pid();
  private static final Path IMAGE_TAR =
      LocalCluster.projectDir().resolve("target/nodedaemon-operator-image.tar");

  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    // One node for the chart's Deployment pod (kwok "runs" it): helm install --wait returns.
    cluster = LocalCluster.up("image-" + ProcessHandle.current().pid(), 1);
  }

  @AfterAll
  static void stopClusterAndContainer() {
    try {
      Podman.tryRun("rm", "--force", "--time", "10", CONTAINER);
      // Each build's image replaces the last under the same tag; the old one is not kept.
      Podman.tryRun("image", "prune", "--force");
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void theImagePlacesPodsAndRollsAnUpdateAsTheChartRunsIt() throws Exception {
    assertThat(IMAGE_TAR)
        .as("the image tarball; build it with ./mvnw package -Dimage (after hack/image base)")
        .isRegularFile();
    String reference =
        OperatorImage.reference(
            LocalCluster.projectDir().resolve(OperatorImage.APPLICATION_PROPERTIES));
    String loaded = Podman.run("load", "--input", IMAGE_TAR.toString());
    assertThat(loaded).contains(reference);
    long size =
        Long.parseLong(Podman.run("image", "inspect", "--format", "{{.Size}}", reference).trim());
    assertThat(Podman.run("image", "inspect", "--format", "{{.Config.User}}", reference).trim())
        .as("a numeric, non-root default user")
        .isEqualTo(OperatorImage.USER);
    assertThat(
            Podman.run(
                "run",
                "--rm",
                "--entrypoint",
                "/bin/sh",
                reference,
                "-c",
                "command -v curl && command -v grep"))
        .as("what the chart's helm test pod runs in the operator's image")
        .contains("/curl", "/grep");
    // The image's own entrypoint, without the chart's environment: the JVM options file
    // (files/jvm-options) is read, and JAVA_OPTS_APPEND (jvm.extraOptions) comes after it.
    String flags =
        Podman.run(
            "run",
            "--rm",
            "--read-only",
            "--user",
            ASSIGNED_UID,
            "--env",
            "JAVA_OPTS_APPEND=-Xmx320m -XX:+PrintFlagsFinal -version",
            reference);
    assertThat(flags)
        .as("JVM flags of the image's entrypoint")
        .containsPattern("bool UseG1GC +=  *true")
        .containsPattern("intx TieredStopAtLevel +=  *1 ")
        .containsPattern("size_t MaxHeapSize +=  *335544320 ");

    KubernetesClient client = cluster.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(RELEASE_NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata()
                .build())
        .create();
    Helm.on(cluster)
        .run(
            "install",
            RELEASE,
            Helm.CHART.toString(),
            "--namespace",
            RELEASE_NAMESPACE,
            "--set",
            "replicaCount=1",
            "--wait",
            "--timeout",
            "3m");
    Deployment deployment =
        client.apps().deployments().inNamespace(RELEASE_NAMESPACE).withName(RELEASE).get();
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage())
        .as("the chart runs the image the build made")
        .isEqualTo(reference);

    int port = freePort();
    Path kubeconfig = cluster.serviceAccountKubeconfig(RELEASE_NAMESPACE, RELEASE);
    // Readable by the container's UID, which is not this file's owner.
    Files.setPosixFilePermissions(kubeconfig, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> run =
        new ArrayList<>(
            List.of(
                "run",
                "--detach",
                "--name",
                CONTAINER,
                "--network=host",
                "--read-only",
                "--tmpfs",
                "/tmp:rw,size=64m,mode=1777",
                "--user",
                ASSIGNED_UID,
                "--security-opt",
                "no-new-privileges",
                "--cap-drop",
                "ALL",
                "--volume",
                kubeconfig + ":/var/run/nodedaemon/kubeconfig:ro",
                "--env",
                "KUBECONFIG=/var/run/nodedaemon/kubeconfig"));
    Map<String, String> env = DeploymentEnvironment.of(deployment, operatorPodName(client));
    // Host network: a free port instead of the Deployment's 8080.
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    env.forEach((name, value) -> run.addAll(List.of("--env", name + "=" + value)));
    run.add(reference);
    Podman.tryRun("rm", "--force", CONTAINER);
    Instant runAt = Instant.now();
    Podman.run(run.toArray(String[]::new));
    try {
      awaitReady(port);
      Duration toReady = Duration.between(runAt, Instant.now());
      assertThat(Podman.run("top", CONTAINER, "user").lines().skip(1).map(String::trim))
          .as("the operator runs as the assigned UID")
          .containsOnly(ASSIGNED_UID);
      assertThat(metrics(port))
          .as("the chart's JVM options (files/jvm-options: G1, -Xmx192m) are in force")
          .contains("jvm_memory_max_bytes{area=\"heap\",id=\"G1 Old Gen\"} 2.01326592E8");

      TestFleet fleet = new TestFleet(cluster, "image");
      List<String> nodes = fleet.addNodes("n", 3);
      fleet.create(fleet.logAgent("agent"));
      fleet.awaitReadyOnExactly("agent", nodes);
      Duration toPlaced = Duration.between(runAt, Instant.now());
      String v2 = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0";
      fleet.setImage("agent", v2);
      fleet.awaitAllOnImage("agent", nodes, v2);
      fleet.awaitStatus("agent", StatusChecks.phase(RolloutPhase.Complete));

      String logs = Podman.run("logs", "--timestamps", CONTAINER);
      assertThat(logs).doesNotContain("is forbidden").doesNotContain("Read-only file system");
      Instant startedAt =
          Instant.parse(
              Podman.run(
                      "inspect",
                      "--format",
                      "{{.State.StartedAt.Format \"2006-01-02T15:04:05.000000000Z07:00\"}}",
                      CONTAINER)
                  .trim());
      Instant operatorStarted = logInstant(logs, "NodeDaemon operator started");
      System.out.printf(
          "container image %s: %.1f MB (podman image inspect .Size)%n"
              + "start in the container: %d ms from container start to \"NodeDaemon operator"
              + " started\"; %s%n"
              + "podman run to /q/health/ready: %d ms; to pods Ready on 3 kwok nodes: %d ms%n",
          reference,
          size / 1e6,
          Duration.between(startedAt, operatorStarted).toMillis(),
          quarkusStartedLine(logs),
          toReady.toMillis(),
          toPlaced.toMillis());

      // SIGTERM to PID 1 (java, exec'd by the entrypoint's shell): Quarkus shuts down and the JVM
      // exits 143 (128 + SIGTERM), or 0; 137 would be podman's SIGKILL after the grace period.
      Podman.run("stop", "--time", "30", CONTAINER);
      assertThat(Podman.run("inspect", "--format", "{{.State.ExitCode}}", CONTAINER).trim())
          .as("exit code after SIGTERM")
          .isIn("0", "143");
      assertThat(Podman.run("logs", CONTAINER)).as("Quarkus' shutdown line").contains("stopped in");
    } catch (AssertionError | RuntimeException e) {
      Commands.Result logs = Podman.tryRun("logs", "--tail", "60", CONTAINER);
      System.out.println("--- container " + CONTAINER + " ---\n" + logs.stdout() + logs.stderr());
      throw e;
    } finally {
      Podman.tryRun("rm", "--force", "--time", "10", CONTAINER);
    }
  }

  private static String operatorPodName(KubernetesClient client) {
    return client
        .pods()
        .inNamespace(RELEASE_NAMESPACE)
        .withLabel("app.kubernetes.io/instance", RELEASE)
        .list()
        .getItems()
        .getFirst()
        .getMetadata()
        .getName();
  }

  /** Waits for /q/health/ready, failing at once with the logs when the container has exited. */
  private static void awaitReady(int port) {
    Awaitility.await("the operator in the container is ready")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              String state =
                  Podman.run("inspect", "--format", "{{.State.Status}}", CONTAINER).trim();
              if (!state.equals("running")) {
                throw new AssertionError("the container is " + state + ", not running");
              }
              return status(port, "/q/health/ready") == 200;
            });
  }

  private static int status(int port, String path) {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String metrics(int port) throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }
  }

  /** The time podman recorded for the first log line containing {@code text}. */
  private static Instant logInstant(String timestampedLogs, String text) {
    return timestampedLogs
        .lines()
        .filter(line -> line.contains(text))
        .findFirst()
        .map(line -> Instant.parse(line.substring(0, line.indexOf(' '))))
        .orElseThrow(() -> new AssertionError("no log line with '" + text + "'"));
  }

  /** Quarkus' own "... started in N.NNNs" (measured from JVM start), for the record. */
  private static String quarkusStartedLine(String logs) {
    return logs.lines()
        .filter(line -> line.contains(" started in "))
        .map(line -> "Quarkus: " + line.substring(line.indexOf("started in")).split("\\. ")[0])
        .findFirst()
        .orElse("no Quarkus start line");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
