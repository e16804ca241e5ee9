package dev.nodedaemon.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.DaemonSetCluster;
import dev.nodedaemon.testing.FaultProxy;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
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

  @BeforeAll
  static void clusterWithTheDaemonSetController() {
    DaemonSetCluster.get();
  }

  @Test
  void aDaemonSetsPodsAreAdoptedWithoutARestartAndThenRollOut() {
    TestFleet fleet = new TestFleet(DaemonSetCluster.get(), "migrate");
    List<String> nodes = fleet.addNodes("n", 5);
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 1, null);
    List<Pod> before = DaemonSetCluster.runAsDaemonSet(fleet, nd, nodes.size(), null);
    List<String> uids = uids(before);
    System.out.println("pods of DaemonSet agent before the migration: " + uids);

    orphanPodsOfDaemonSet(fleet, "agent");
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
    System.out.println("pods of NodeDaemon agent after the adoption:  " + uids(after));
    assertThat(uids(after))
        .as(
            "the same pods, not restarted; the NodeDaemon's events: %s",
            fleet.events("agent").stream().map(e -> e.getReason() + ": " + e.getMessage()).toList())
        .isEqualTo(uids);
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

  @Test
  void podsWhoseTemplateCheckGetsNoAnswerAreLeftAloneUntilItDoes() {
    // The dry run that tells a current pod from an old one fails with 500 for a while: adopted as
    // old, the pods would be replaced (and, with every create failing too, lost meanwhile).
    TestFleet fleet = new TestFleet(DaemonSetCluster.get(), "migrate-noanswer");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 1, null);
    List<String> uids = uids(DaemonSetCluster.runAsDaemonSet(fleet, nd, nodes.size(), null));
    orphanPodsOfDaemonSet(fleet, "agent");

    FaultProxy proxy = DaemonSetCluster.proxy();
    proxy.setRules(FaultProxy.Rule.errors("create", "pods", 500, 1.0));
    try {
      fleet.create(nd);
      // Two attempts per dry run (the client retries once): at least three dry runs failed.
      Awaitility.await("dry runs answered 500 at least 6 times")
          .atMost(Duration.ofSeconds(60))
          .until(() -> proxy.ruleCounter("errors") >= 6);
      assertThat(fleet.events("agent").stream().map(e -> e.getReason()))
          .as("nothing adopted without an answer")
          .doesNotContain("SuccessfulAdopt", "SuccessfulDelete");
    } finally {
      proxy.clearRules();
    }

    fleet.awaitStatus(
        "agent",
        n ->
            n.getStatus() != null
                && n.getStatus().getPhase() == RolloutPhase.Complete
                && n.getStatus().getNumberAvailable() == nodes.size());
    fleet.awaitEvents("agent", "SuccessfulAdopt", nodes.size(), Duration.ofSeconds(30));
    assertThat(uids(fleet.pods("agent")))
        .as(
            "the same pods; the NodeDaemon's events: %s",
            fleet.events("agent").stream().map(e -> e.getReason() + ": " + e.getMessage()).toList())
        .isEqualTo(uids);
  }

  /** Deletes the DaemonSet as `kubectl delete --cascade=orphan` does, leaving its pods running. */
  private static void orphanPodsOfDaemonSet(TestFleet fleet, String name) {
    var daemonSet =
        fleet.client().apps().daemonSets().inNamespace(fleet.namespace()).withName(name);
    daemonSet.withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
    daemonSet.waitUntilCondition(ds -> ds == null, 60, TimeUnit.SECONDS);
  }

  private static List<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).sorted().toList();
  }
}
