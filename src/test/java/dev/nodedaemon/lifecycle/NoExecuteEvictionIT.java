package dev.nodedaemon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.testing.AuditLog;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.OperatorProcess;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A daemon pod on a node that gets a NoExecute taint it does not tolerate is deleted by the
 * operator itself, as the built-in DaemonSet controller does. In the shared cluster
 * kube-controller-manager's taint-eviction controller races the operator for it (and usually wins,
 * so a test there passes with the operator doing nothing); this test runs on a control plane of its
 * own with that controller off ({@code hack/cluster up --disable-controller
 * taint-eviction-controller}). A bare pod on the same node, which only the taint-eviction
 * controller would evict, shows it is off.
 */
class NoExecuteEvictionIT {

  private static LocalCluster cluster;
  private static OperatorProcess operator;

  @BeforeAll
  static void controlPlaneWithoutTaintEviction() {
    cluster =
        LocalCluster.up(
            "noexecute-" + ProcessHandle.current().pid(),
            0,
            List.of("--disable-controller", "taint-eviction-controller"));
    operator = OperatorProcess.start(cluster, "noexecute", Map.of());
  }

  @AfterAll
  static void tearDown() {
    if (operator != null) {
      operator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theOperatorDeletesThePodOfANodeTaintedNoExecute() {
    TestFleet fleet = new TestFleet(cluster, "noexec");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    fleet.awaitReadyOnExactly("agent", nodes);
    String tainted = nodes.get(0);
    String victim =
        fleet.pods("agent").stream()
            .filter(p -> tainted.equals(p.getSpec().getNodeName()))
            .findFirst()
            .orElseThrow()
            .getMetadata()
            .getName();
    Pod bare =
        fleet
            .client()
            .pods()
            .inNamespace(fleet.namespace())
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("bare")
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName(tainted)
                    .addNewContainer()
                    .withName("c")
                    .withImage("registry.k8s.io/pause:3.10")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();

    cluster.kubectl("taint", "node", tainted, "maintenance=true:NoExecute");

    fleet.awaitReadyOnExactly("agent", List.of(nodes.get(1)));
    fleet.awaitPods("agent", pods -> pods.stream().noneMatch(p -> victim.equals(name(p))), WAIT);
    assertThat(fleet.awaitOnlyEvent("agent", "SuccessfulDelete", WAIT))
        .isEqualTo("Deleted pod: " + victim + " (node " + tainted + " no longer qualifies)");
    // kube-controller-manager evicted nothing: the bare pod it alone would evict is still there,
    // and the API server saw no delete of any pod from it.
    assertThat(fleet.client().pods().inNamespace(fleet.namespace()).withName("bare").get())
        .as("bare pod on the tainted node")
        .isNotNull()
        .satisfies(
            p -> assertThat(p.getMetadata().getUid()).isEqualTo(bare.getMetadata().getUid()));
    // kwok plays the kubelet, which ends every graceful delete with one of its own: left out.
    List<AuditLog.Call> deletes =
        cluster
            .auditLog()
            .calls(
                c ->
                    c.verb().equals("delete")
                        && c.resource().equals("pods")
                        && c.namespace().equals(fleet.namespace())
                        && !c.user().equals("kwok-controller"));
    assertThat(deletes)
        .as("pod deletes in the namespace, but the kubelet's")
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.name()).isEqualTo(victim);
              assertThat(d.user()).isEqualTo("nodedaemon-admin"); // the operator's kubeconfig
            });
  }

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static String name(Pod pod) {
    return pod.getMetadata().getName();
  }
}
