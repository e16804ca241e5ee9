package dev.nodedaemon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.api.UpdateStrategyType;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.testing.AuditLog;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.SharedCluster;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rolling updates on the real control plane, with pods that take a second to become ready (kwok's
 * ready delay) and a checker that watches every pod event: never more pods per node than the
 * strategy allows, never more nodes without a ready pod than the budget.
 */
class RollingUpdateIT {

  private static final String OLD_IMAGE = "quay.io/fluentd_elasticsearch/fluentd:v2.5.2";
  private static final String NEW_IMAGE = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  /** Seed 000's walkthrough: a new image rolls one node at a time with maxUnavailable 1. */
  @Test
  void anImageChangeRollsOneNodeAtATime() {
    TestFleet fleet = new TestFleet("roll");
    List<String> nodes = fleet.addNodes("n", 4);
    fleet.create(slowToBecomeReady(fleet.logAgent("agent")));
    fleet.awaitReadyOnExactly("agent", nodes);

    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1)) {
      fleet.setImage("agent", NEW_IMAGE);
      List<Pod> pods = fleet.awaitAllOnImage("agent", nodes, NEW_IMAGE);

      assertThat(checker.violations()).isEmpty();
      assertThat(checker.peakNodesWithoutReadyPod()).as("maxUnavailable 1").isEqualTo(1);
      assertThat(
              pods.stream()
                  .map(p -> p.getMetadata().getLabels().get(DaemonPodFactory.REVISION_LABEL))
                  .distinct())
          .hasSize(1);
    }
    NodeDaemon done =
        fleet.awaitStatus(
            "agent",
            nd ->
                nd.getStatus() != null
                    && Integer.valueOf(4).equals(nd.getStatus().getUpdatedNumberScheduled())
                    && Integer.valueOf(4).equals(nd.getStatus().getNumberAvailable()));
    assertThat(done.getStatus().getUpdateRevision())
        .isEqualTo(done.getStatus().getCurrentRevision());
    assertThat(fleet.events("agent").stream().map(e -> e.getMessage()))
        .anyMatch(
            m -> m.contains("rolling update to revision " + done.getStatus().getUpdateRevision()));
  }

  @Test
  void maxUnavailableAsAPercentageReplacesThatManyNodesAtOnce() {
    TestFleet fleet = new TestFleet("pct");
    List<String> nodes = fleet.addNodes("n", 4);
    NodeDaemon nd = slowToBecomeReady(fleet.logAgent("agent"));
    TestFleet.withRollingUpdate(nd, "50%", null);
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);

    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1)) {
      fleet.setImage("agent", NEW_IMAGE);
      fleet.awaitAllOnImage("agent", nodes, NEW_IMAGE);

      assertThat(checker.violations()).isEmpty();
      assertThat(checker.peakNodesWithoutReadyPod()).as("50%% of 4 nodes").isEqualTo(2);
    }
  }

  /**
   * Surge: the new pod starts beside the old one, which goes once the new one is available: Ready
   * for minReadySeconds, not merely Ready.
   */
  @Test
  void surgeWithMinReadySecondsNeverLeavesANodeWithoutAReadyPod() {
    TestFleet fleet = new TestFleet("surge");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon nd = slowToBecomeReady(fleet.logAgent("agent"));
    TestFleet.withRollingUpdate(nd, 0, 1);
    nd.getSpec().setMinReadySeconds(MIN_READY_SECONDS);
    fleet.create(nd);
    Map<String, String> nodeOfOldPod =
        fleet.awaitReadyOnExactly("agent", nodes).stream()
            .collect(
                Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getSpec().getNodeName()));

    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 2)) {
      fleet.setImage("agent", NEW_IMAGE);
      List<Pod> updated = fleet.awaitAllOnImage("agent", nodes, NEW_IMAGE);

      assertThat(checker.violations()).isEmpty();
      assertThat(checker.peakPerNode()).as("old and new side by side").isEqualTo(2);
      assertThat(checker.peakNodesWithoutReadyPod()).isZero();
      // When the operator deleted each old pod, from the API server's audit log.
      Map<String, Instant> oldDeletedAt =
          SharedCluster.get()
              .auditLog()
              .calls(
                  c ->
                      c.verb().equals("delete")
                          && c.resource().equals("pods")
                          && c.namespace().equals(fleet.namespace())
                          && nodeOfOldPod.containsKey(c.name()))
              .stream()
              .collect(
                  Collectors.toMap(
                      c -> nodeOfOldPod.get(c.name()), AuditLog.Call::at, (x, y) -> x));
      // A Ready condition's time has whole seconds: at least minReadySeconds - 1 apart.
      for (Pod pod : updated) {
        Instant ready = readySince(pod);
        assertThat(oldDeletedAt.get(pod.getSpec().getNodeName()))
            .as(
                "old pod on %s deleted %s s after its replacement was Ready (%s); deletes %s",
                pod.getSpec().getNodeName(), MIN_READY_SECONDS, ready, oldDeletedAt)
            .isNotNull()
            .isAfterOrEqualTo(ready.plusSeconds(MIN_READY_SECONDS - 1));
      }
    }
  }

  private static final int MIN_READY_SECONDS = 3;

  private static Instant readySince(Pod pod) {
    return pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
        .map(c -> Instant.parse(c.getLastTransitionTime()))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void onDeleteRollsANodeOnlyWhenItsPodIsDeleted() {
    TestFleet fleet = new TestFleet("ondelete");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon nd = fleet.logAgent("agent");
    UpdateStrategy onDelete = new UpdateStrategy();
    onDelete.setType(UpdateStrategyType.OnDelete);
    nd.getSpec().setUpdateStrategy(onDelete);
    fleet.create(nd);
    List<Pod> before = fleet.awaitReadyOnExactly("agent", nodes);

    fleet.setImage("agent", NEW_IMAGE);
    fleet.awaitStatus(
        "agent",
        n ->
            n.getStatus() != null
                && Long.valueOf(2).equals(n.getStatus().getObservedGeneration())
                && Integer.valueOf(0).equals(n.getStatus().getUpdatedNumberScheduled()));
    assertThat(uids(fleet.pods("agent"))).as("nothing rolled").isEqualTo(uids(before));

    Pod first = before.get(0);
    fleet.client().pods().resource(first).delete();
    List<Pod> after =
        fleet.awaitPods(
            "agent",
            pods ->
                pods.size() == 3
                    && pods.stream().filter(p -> NEW_IMAGE.equals(TestFleet.image(p))).count() == 1
                    && pods.stream().allMatch(dev.nodedaemon.observe.DaemonPods::isReady),
            Duration.ofSeconds(60));
    Pod replaced =
        after.stream().filter(p -> NEW_IMAGE.equals(TestFleet.image(p))).findFirst().orElseThrow();
    assertThat(replaced.getSpec().getNodeName()).isEqualTo(first.getSpec().getNodeName());
    assertThat(after.stream().filter(p -> OLD_IMAGE.equals(TestFleet.image(p)))).hasSize(2);
  }

  // --- helpers ---

  /** Pods become ready one second after they start, so a rollout has steps to watch. */
  private static NodeDaemon slowToBecomeReady(NodeDaemon nd) {
    return TestFleet.withReadyDelay(nd, "1s");
  }

  private static Set<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
  }
}
