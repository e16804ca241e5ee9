package dev.nodedaemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.SharedCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The local control plane is a real one: nodes, scheduling, pod status, garbage collection. */
class ControlPlaneIT {

  private final LocalCluster cluster = SharedCluster.get();
  private final KubernetesClient client = cluster.client();

  @Test
  void baseNodesAreReady() {
    List<Node> nodes = client.nodes().list().getItems();
    assertThat(nodes).hasSizeGreaterThanOrEqualTo(SharedCluster.BASE_NODES);
    assertThat(nodes.stream().filter(ControlPlaneIT::isReady).map(n -> n.getMetadata().getName()))
        .contains("node-0", "node-1", "node-2");
  }

  @Test
  void aScheduledPodOnAFakeNodeBecomesRunningAndReady() {
    String ns = namespace("cp-pod");
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("pinned")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("agent")
            .withImage("registry.example/agent:1")
            .endContainer()
            .withNewAffinity()
            .withNewNodeAffinity()
            .withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .addNewNodeSelectorTerm()
            .addNewMatchField()
            .withKey("metadata.name")
            .withOperator("In")
            .withValues("node-1")
            .endMatchField()
            .endNodeSelectorTerm()
            .endRequiredDuringSchedulingIgnoredDuringExecution()
            .endNodeAffinity()
            .endAffinity()
            .addNewToleration()
            .withOperator("Exists")
            .endToleration()
            .endSpec()
            .build();
    client.pods().resource(pod).create();

    Pod running =
        client
            .pods()
            .inNamespace(ns)
            .withName("pinned")
            .waitUntilCondition(ControlPlaneIT::isRunningAndReady, 60, TimeUnit.SECONDS);

    assertThat(running.getSpec().getNodeName()).as("bound by kube-scheduler").isEqualTo("node-1");
    assertThat(running.getStatus().getPhase()).isEqualTo("Running");
  }

  @Test
  void theGarbageCollectorDeletesDependentsOfADeletedOwner() {
    String ns = namespace("cp-gc");
    ConfigMap owner =
        client
            .configMaps()
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("owner")
                    .withNamespace(ns)
                    .endMetadata()
                    .build())
            .create();
    client
        .configMaps()
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("dependent")
                .withNamespace(ns)
                .addNewOwnerReference()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName("owner")
                .withUid(owner.getMetadata().getUid())
                .endOwnerReference()
                .endMetadata()
                .build())
        .create();

    client.configMaps().inNamespace(ns).withName("owner").delete();

    client
        .configMaps()
        .inNamespace(ns)
        .withName("dependent")
        .waitUntilCondition(cm -> cm == null, 60, TimeUnit.SECONDS);
  }

  @Test
  void aSecondClusterRunsBesideTheFirstAndItsTeardownLeavesNothingBehind() throws Exception {
    LocalCluster second = LocalCluster.up("it-second-" + ProcessHandle.current().pid(), 1);
    Path stateDir = second.stateDir();
    Set<Long> pids;
    Set<Integer> ports;
    try {
      assertThat(second.client().nodes().list().getItems()).hasSize(1);
      assertThat(second.kubeconfig()).isNotEqualTo(cluster.kubeconfig());
      pids = pidsOf(stateDir);
      assertThat(pids).as("pid files of " + stateDir).hasSizeGreaterThanOrEqualTo(5);
      ports = listeningPorts(pids);
      assertThat(ports).as("ports the second cluster listens on").isNotEmpty();
    } finally {
      second.close();
    }

    assertThat(pids.stream().filter(ControlPlaneIT::isRunning))
        .as("processes left after down")
        .isEmpty();
    assertThat(listeningPorts(null))
        .as("ports left open after down")
        .doesNotContainAnyElementsOf(ports);
    assertThat(stateDir).doesNotExist();
    assertThat(client.nodes().list().getItems())
        .as("the first cluster is untouched")
        .hasSizeGreaterThanOrEqualTo(SharedCluster.BASE_NODES);
  }

  private String namespace(String prefix) {
    String name = prefix + "-" + Long.toHexString(System.nanoTime());
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  private static Set<Long> pidsOf(Path stateDir) throws Exception {
    try (Stream<Path> files = Files.list(stateDir.resolve("pids"))) {
      return files
          .map(
              f -> {
                try {
                  return Long.parseLong(Files.readString(f).trim());
                } catch (Exception e) {
                  throw new IllegalStateException(f + " holds no pid", e);
                }
              })
          .collect(Collectors.toSet());
    }
  }

  /**
   * A process that still runs: it has a /proc entry and is not a zombie. A stopped server that was
   * re-parented to init may linger as a zombie until init reaps it; it holds no port and no memory.
   */
  private static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Listening TCP ports, of the given processes only when {@code pids} is not null. */
  private static Set<Integer> listeningPorts(Set<Long> pids) {
    String ss = Commands.run(Duration.ofSeconds(10), List.of("ss", "-Hltnp"));
    return ss.lines()
        .filter(
            line ->
                pids == null || pids.stream().anyMatch(pid -> line.contains("pid=" + pid + ",")))
        .map(line -> line.trim().split("\\s+")[3])
        .map(local -> Integer.parseInt(local.substring(local.lastIndexOf(':') + 1)))
        .collect(Collectors.toSet());
  }

  static boolean isReady(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(
                (NodeCondition c) -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static boolean isRunningAndReady(Pod pod) {
    return pod != null
        && pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(
                (PodCondition c) -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
