package dev.nodedaemon.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.OperatorProcess;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Moving an agent from a DaemonSet to a NodeDaemon without restarting it, with the built-in
 * DaemonSet controller running: the DaemonSet's pods are orphaned, the NodeDaemon with the same
 * template adopts them as its current revision (same pod UIDs, no delete), and a rollout then
 * replaces them as usual.
 */
class MigrationIT {

  private static final String V2 = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0";
  private static LocalCluster cluster;
  private static OperatorProcess operator;

  @BeforeAll
  static void clusterWithTheDaemonSetController() {
    cluster =
        LocalCluster.up(
            "migrate-" + ProcessHandle.current().pid(), 0, List.of("--daemonset-controller"));
    operator = OperatorProcess.start(cluster, "migrate", Map.of());
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
  void aDaemonSetsPodsAreAdoptedWithoutARestartAndThenRollOut() {
    TestFleet fleet = new TestFleet(cluster, "migrate");
    List<String> nodes = fleet.addNodes("n", 5);
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 1, null);
    DaemonSet daemonSet =
        new DaemonSetBuilder()
            .withNewMetadata()
            .withName("agent")
            .withNamespace(fleet.namespace())
            .endMetadata()
            .withNewSpec()
            .withSelector(nd.getSpec().getSelector().toLabelSelector())
            .withTemplate(nd.getSpec().getTemplate())
            .endSpec()
            .build();
    fleet.client().apps().daemonSets().resource(daemonSet).create();
    List<Pod> before = awaitReadyDaemonSetPods(fleet, nodes.size());
    List<String> uids = uids(before);

    fleet
        .client()
        .apps()
        .daemonSets()
        .inNamespace(fleet.namespace())
        .withName("agent")
        .withPropagationPolicy(DeletionPropagation.ORPHAN)
        .delete();
    fleet
        .client()
        .apps()
        .daemonSets()
        .inNamespace(fleet.namespace())
        .withName("agent")
        .waitUntilCondition(ds -> ds == null, 60, TimeUnit.SECONDS);
    fleet.create(nd);

    NodeDaemon adopted =
        fleet.awaitStatus(
            "agent",
            n ->
                n.getStatus() != null
                    && n.getStatus().getPhase() == RolloutPhase.Complete
                    && n.getStatus().getUpdatedNumberScheduled() == nodes.size()
                    && n.getStatus().getNumberAvailable() == nodes.size());
    fleet.awaitEvents("agent", "SuccessfulAdopt", nodes.size(), Duration.ofSeconds(30));
    List<Pod> after = fleet.pods("agent");
    assertThat(uids(after)).as("the same pods, not restarted").isEqualTo(uids);
    assertThat(after)
        .allMatch(p -> adopted.getStatus().getUpdateRevision().equals(DaemonPods.revision(p)));
    assertThat(
            fleet.events("agent").stream()
                .filter(e -> "NodeDaemon".equals(e.getInvolvedObject().getKind()))
                .map(e -> e.getReason()))
        .as("the NodeDaemon's events (the DaemonSet of the same name made the pods)")
        .contains("SuccessfulAdopt")
        .doesNotContain("SuccessfulDelete", "SuccessfulCreate");

    fleet.setImage("agent", V2);
    List<Pod> rolled = fleet.awaitAllOnImage("agent", nodes, V2);
    assertThat(uids(rolled)).doesNotContainAnyElementsOf(uids);
    fleet.awaitStatus("agent", n -> n.getStatus().getPhase() == RolloutPhase.Complete);
  }

  private static List<Pod> awaitReadyDaemonSetPods(TestFleet fleet, int count) {
    try {
      return fleet
          .client()
          .pods()
          .inNamespace(fleet.namespace())
          .withLabel("name", "agent")
          .informOnCondition(pods -> pods.stream().filter(DaemonPods::isReady).count() == count)
          .get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the DaemonSet's pods did not become ready", e);
    }
  }

  private static List<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).sorted().toList();
  }
}
