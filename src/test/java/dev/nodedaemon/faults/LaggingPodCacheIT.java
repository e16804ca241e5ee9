package dev.nodedaemon.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.FaultProxy;
import dev.nodedaemon.testing.FaultProxy.Rule;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.PodInvariantChecker.Bounds;
import dev.nodedaemon.testing.ProxiedCluster;
import dev.nodedaemon.testing.TestFleet;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's own deletes count before its informer shows them. Its pod watch runs 5 s late
 * while one image rolls out with maxSurge and the next follows as soon as the first is done: the
 * operator's cache then still shows the old pods it deleted beside their replacements, which the
 * planner took for two pods on a node and deleted the newer one, leaving nodes without a ready pod
 * under maxUnavailable 0 (found by the fault matrix when one fault's delayed watch outlived its
 * row).
 */
class LaggingPodCacheIT {

  private static final int NODES = 10;
  private static final String IMAGE = "quay.io/fluentd_elasticsearch/fluentd:";

  private final ProxiedCluster faulty = ProxiedCluster.get();
  private final FaultProxy proxy = faulty.proxy();

  @AfterEach
  void noFaultsLeft() {
    proxy.clearRules();
  }

  @Test
  void backToBackSurgeRolloutsOnALaggingPodWatchKeepEveryNodeReady() {
    faulty.operator();
    TestFleet fleet = new TestFleet(faulty.cluster(), "lagging");
    List<String> nodes = fleet.addNodes("n", NODES);
    NodeDaemon nd = TestFleet.withReadyDelay(fleet.logAgent("agent"), "2s");
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(IMAGE + "v1");
    TestFleet.withRollingUpdate(nd, 0, 5);
    fleet.create(nd);
    fleet.awaitPods("agent", TestFleet.allReadyOn(IMAGE + "v1", NODES), Duration.ofMinutes(2));
    // The operator too must have seen every v1 pod available before its view starts to lag: an old
    // pod it takes for unavailable is replaced outside maxSurge (as the built-in controller does),
    // which the first rollout's bound does not allow for.
    fleet.awaitStatus(
        "agent",
        d ->
            d.getStatus() != null
                && Objects.equals(d.getStatus().getNumberAvailable(), NODES)
                && Objects.equals(d.getStatus().getUpdatedNumberScheduled(), NODES));

    proxy.setRules(Rule.watchDelay("pods", Duration.ofSeconds(5)));
    try (PodInvariantChecker checker =
        new PodInvariantChecker(
            fleet.client(), fleet.namespace(), "agent", Bounds.rollingUpdate(0, 5))) {
      fleet.setImage("agent", IMAGE + "v2");
      // Done as the API server sees it; the operator sees it 5 s later.
      fleet.awaitPods("agent", TestFleet.allReadyOn(IMAGE + "v2", NODES), Duration.ofMinutes(2));
      checker.awaitCaughtUp();
      assertThat(checker.violations())
          .as("invariant violations, v1 -> v2; the NodeDaemon's events: %s", events(fleet))
          .isEmpty();
      assertThat(checker.deletedPods()).as("only the v1 pods deleted, one per node").hasSize(NODES);
    }
    // v3 follows at once. The operator's view, 5 s behind, may still show some v2 pods starting:
    // an old pod that is not available is replaced outside maxSurge, as the built-in controller
    // does, so more than maxSurge nodes may surge now. What must still hold: every node keeps a
    // ready pod, never two pods of one revision or more than two on a node, no pod deleted twice.
    try (PodInvariantChecker checker =
        new PodInvariantChecker(
            fleet.client(),
            fleet.namespace(),
            "agent",
            Bounds.rollingUpdate(0, 5).withMaxSurgingNodes(NODES))) {
      fleet.setImage("agent", IMAGE + "v3");
      fleet.awaitPods("agent", TestFleet.allReadyOn(IMAGE + "v3", NODES), Duration.ofMinutes(2));
      checker.awaitCaughtUp();

      assertThat(proxy.ruleCounter("watchesDelayed")).as("pod watches delayed").isPositive();
      assertThat(checker.violations())
          .as("invariant violations, v2 -> v3; the NodeDaemon's events: %s", events(fleet))
          .isEmpty();
      assertThat(checker.peakNodesWithoutReadyPod()).isZero();
      List<String> running =
          fleet.pods("agent").stream()
              .filter(p -> !DaemonPods.isTerminating(p))
              .map(p -> p.getMetadata().getName())
              .toList();
      assertThat(checker.deletedPods())
          .as("only the v2 pods deleted, one per node, none of the v3 pods that run now")
          .hasSize(NODES)
          .noneMatch(p -> running.contains(p.name()));
    }
    assertThat(nodes).hasSize(NODES);
  }

  private static List<String> events(TestFleet fleet) {
    return fleet.events("agent").stream()
        .map(e -> e.getLastTimestamp() + " " + e.getReason() + ": " + e.getMessage())
        .toList();
  }
}
