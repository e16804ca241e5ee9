package dev.nodedaemon.topology;

import static dev.nodedaemon.testing.StatusChecks.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.DomainMode;
import dev.nodedaemon.api.DomainStatus;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodSelector;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.RolloutOrder;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import dev.nodedaemon.testing.UpdateOrderRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rollout order on the real control plane (kube-apiserver, scheduler, kwok nodes): zone by
 * zone, a canary pool first, and a per-zone budget. Each order is recorded by a pod watch that
 * starts before the new image is set ({@link UpdateOrderRecorder}), not by sampling.
 */
class RolloutOrderIT {

  private static final String ZONE = "topology.kubernetes.io/zone";
  private static final String V1 = "example.com/agent:v1";
  private static final String V2 = "example.com/agent:v2";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void zoneByZoneNoNodeOfTheNextZoneIsTouchedBeforeTheLastZoneIsUpAndAvailable() {
    TestFleet fleet = new TestFleet("zones");
    // Round-robin: node 0 in c, 1 in a, 2 in b, ... so name order interleaves the zones.
    List<String> nodes = fleet.addNodesInZones("n", 12, List.of("c", "a", "b"));
    Map<String, String> zoneOf = zones(nodes, List.of("c", "a", "b"));
    NodeDaemon nd = agent(fleet, 2);
    order(nd).setTopologyKey(ZONE);
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    try (UpdateOrderRecorder record =
        new UpdateOrderRecorder(fleet.client(), fleet.namespace(), "agent", V2, zoneOf)) {
      fleet.setImage("agent", V2);
      fleet.awaitAllOnImage("agent", nodes, V2);
      record.awaitUp(nodes, Duration.ofSeconds(30));
      NodeDaemon done = fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

      List<String> zoneA = inZone(zoneOf, "a");
      List<String> zoneB = inZone(zoneOf, "b");
      List<String> zoneC = inZone(zoneOf, "c");
      int aUp = zoneA.stream().mapToInt(record::upAt).max().orElseThrow();
      int bUp = zoneB.stream().mapToInt(record::upAt).max().orElseThrow();
      for (String node : zoneB) {
        assertThat(record.touchedAt(node))
            .as(
                "zone b's %s is touched after every node of zone a is up (order %s)",
                node, record.touchOrder())
            .isGreaterThan(aUp);
      }
      for (String node : zoneC) {
        assertThat(record.touchedAt(node))
            .as(
                "zone c's %s is touched after every node of zone b is up (order %s)",
                node, record.touchOrder())
            .isGreaterThan(bUp);
      }
      assertThat(done.getStatus().getDomains())
          .extracting(DomainStatus::getName, DomainStatus::getNodes, DomainStatus::getUpdated)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("a", 4, 4),
              org.assertj.core.groups.Tuple.tuple("b", 4, 4),
              org.assertj.core.groups.Tuple.tuple("c", 4, 4));
      assertThat(done.getStatus().getRollout().getGroupsCompleted()).isEqualTo(3);
      fleet.awaitEvents("agent", "DomainStarted", 3, Duration.ofSeconds(30));
      fleet.awaitEvents("agent", "DomainCompleted", 3, Duration.ofSeconds(30));
    }
  }

  @Test
  void aCanaryPoolOfTwoNodesIsUpBeforeAnyOtherNodeIsTouched() {
    TestFleet fleet = new TestFleet("canary-pool");
    List<String> workers = fleet.addNodes("a", 4);
    // Named after the workers: name order alone would take them last.
    List<String> canaries = fleet.addNodes("z", 2, "canary=true");
    List<String> nodes = new ArrayList<>(workers);
    nodes.addAll(canaries);
    NodeDaemon nd = agent(fleet, "50%");
    order(nd).setPriority(List.of(new PodSelector(Map.of("canary", "true"))));
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    Map<String, String> zoneOf = new HashMap<>();
    nodes.forEach(n -> zoneOf.put(n, "all"));
    try (UpdateOrderRecorder record =
        new UpdateOrderRecorder(fleet.client(), fleet.namespace(), "agent", V2, zoneOf)) {
      fleet.setImage("agent", V2);
      fleet.awaitAllOnImage("agent", nodes, V2);
      record.awaitUp(nodes, Duration.ofSeconds(30));

      int canariesUp = canaries.stream().mapToInt(record::upAt).max().orElseThrow();
      for (String worker : workers) {
        assertThat(record.touchedAt(worker))
            .as("%s is touched after both canaries are up (order %s)", worker, record.touchOrder())
            .isGreaterThan(canariesUp);
      }
      assertThat(record.touchOrder().subList(0, 2)).containsExactlyInAnyOrderElementsOf(canaries);
    }
  }

  @Test
  void aPerZoneBudgetOfOneKeepsEachZoneToOneNodeDownWhileZonesGoInParallel() {
    TestFleet fleet = new TestFleet("zone-budget");
    List<String> zones = List.of("a", "b", "c");
    List<String> nodes = fleet.addNodesInZones("n", 12, zones);
    Map<String, String> zoneOf = zones(nodes, zones);
    NodeDaemon nd = agent(fleet, "50%");
    order(nd).setTopologyKey(ZONE);
    order(nd).setDomains(DomainMode.Parallel);
    rolling(nd).setMaxUnavailablePerDomain(TestFleet.intOrPercent(1));
    // Each new pod stays unready a moment, so the budget is held for a while in every zone.
    TestFleet.withReadyDelay(nd, "1s");
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    try (UpdateOrderRecorder record =
        new UpdateOrderRecorder(fleet.client(), fleet.namespace(), "agent", V2, zoneOf)) {
      fleet.setImage("agent", V2);
      fleet.awaitAllOnImage("agent", nodes, V2);
      record.awaitUp(nodes, Duration.ofSeconds(30));

      assertThat(record.peakDownPerZone())
          .as("never two nodes of one zone without a ready pod at once")
          .allSatisfy((zone, peak) -> assertThat(peak).as(zone).isEqualTo(1));
      assertThat(record.peakZonesDown())
          .as("the zones were updated side by side (global budget 6)")
          .isGreaterThan(1);
    }
  }

  private static NodeDaemon agent(TestFleet fleet, Object maxUnavailable) {
    NodeDaemon nd = fleet.logAgent("agent");
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(V1);
    return TestFleet.withRollingUpdate(nd, maxUnavailable, null);
  }

  private static RollingUpdate rolling(NodeDaemon nd) {
    return nd.getSpec().getUpdateStrategy().getRollingUpdate();
  }

  private static RolloutOrder order(NodeDaemon nd) {
    if (rolling(nd).getOrder() == null) {
      rolling(nd).setOrder(new RolloutOrder());
    }
    return rolling(nd).getOrder();
  }

  /** hack/cluster add-nodes assigns zones round-robin in the order given. */
  private static Map<String, String> zones(List<String> nodes, List<String> zones) {
    Map<String, String> zoneOf = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      zoneOf.put(nodes.get(i), zones.get(i % zones.size()));
    }
    return zoneOf;
  }

  private static List<String> inZone(Map<String, String> zoneOf, String zone) {
    return zoneOf.entrySet().stream()
        .filter(e -> e.getValue().equals(zone))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }
}
