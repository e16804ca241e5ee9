package dev.nodedaemon.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.testing.FaultProxy;
import dev.nodedaemon.testing.FaultProxy.Rule;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.ProxiedCluster;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node missing only from the operator's cache is not a deleted node. The operator's node watch is
 * held 30 s behind (the fault proxy delays it) while a node joins and a pod of the NodeDaemon
 * appears on it, as one created by an earlier operator process would: the operator must confirm
 * with the API server before deleting a pod whose node it does not know, and here leave it be.
 */
class NodeCacheIT {

  private final ProxiedCluster faulty = ProxiedCluster.get();
  private final FaultProxy proxy = faulty.proxy();

  @AfterEach
  void noFaultsLeft() {
    proxy.clearRules();
  }

  @Test
  void aPodOnANodeTheCacheHasNotSeenYetIsNotDeleted() {
    faulty.operator();
    TestFleet fleet = new TestFleet(faulty.cluster(), "nodecache");
    List<String> nodes = fleet.addNodes("n", 2);
    NodeDaemon nd = fleet.create(fleet.logAgent("agent"));
    fleet.awaitReadyOnExactly("agent", nodes);

    // Node events reach the operator 30 s late from now on (the proxy cuts the open node watch,
    // which the informer opens again through the delaying rule).
    proxy.setRules(Rule.watchDelay("nodes", Duration.ofSeconds(30)));
    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1)) {
      String late = fleet.addNodes("late", 1).getFirst();
      nd = fleet.get("agent");
      String hash = nd.getStatus().getUpdateRevision();
      Pod pod = DaemonPodFactory.build(nd, late, hash);
      Pod created = fleet.client().pods().inNamespace(fleet.namespace()).resource(pod).create();

      // The operator learns of the node when its delayed event arrives: it then counts 3 nodes.
      fleet.awaitStatus(
          "agent",
          n ->
              n.getStatus() != null
                  && Integer.valueOf(3).equals(n.getStatus().getDesiredNumberScheduled())
                  && Integer.valueOf(3).equals(n.getStatus().getNumberReady()));

      assertThat(proxy.ruleCounter("watchesDelayed")).as("node watches delayed").isPositive();
      assertThat(checker.deletedPods()).as("pods deleted").isEmpty();
      Pod after =
          fleet
              .client()
              .pods()
              .inNamespace(fleet.namespace())
              .withName(created.getMetadata().getName())
              .get();
      assertThat(after.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
      assertThat(checker.violations()).isEmpty();
    }
  }
}
