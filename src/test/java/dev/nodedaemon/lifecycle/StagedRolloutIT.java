package dev.nodedaemon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Partition and pause: a rollout that stops where it is told and goes on when released. */
class StagedRolloutIT {

  private static final String OLD = "quay.io/fluentd_elasticsearch/fluentd:v2.5.2";
  private static final String NEW = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void partitionHoldsExactlyThatManyNodesBackUntilLowered() {
    TestFleet fleet = new TestFleet("partition");
    List<String> nodes = fleet.addNodes("n", 4);
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 4, null);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(new IntOrString(2));
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);

    fleet.patch(
        "agent",
        "[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/image\", \"value\": \""
            + NEW
            + "\"}]");
    fleet.awaitStatus(
        "agent",
        n ->
            n.getStatus() != null
                && Long.valueOf(2).equals(n.getStatus().getObservedGeneration())
                && Integer.valueOf(2).equals(n.getStatus().getUpdatedNumberScheduled())
                && Integer.valueOf(4).equals(n.getStatus().getNumberAvailable()));
    List<Pod> held = fleet.pods("agent");
    assertThat(held).noneMatch(DaemonPods::isTerminating);
    assertThat(held.stream().filter(p -> OLD.equals(TestFleet.image(p))))
        .as("held back")
        .hasSize(2);
    assertThat(held.stream().filter(p -> NEW.equals(TestFleet.image(p)))).hasSize(2);

    fleet.patch(
        "agent",
        "[{\"op\": \"replace\", \"path\": \"/spec/updateStrategy/rollingUpdate/partition\", \"value\": 0}]");
    fleet.awaitPods(
        "agent",
        pods ->
            pods.size() == 4
                && pods.stream()
                    .allMatch(p -> NEW.equals(TestFleet.image(p)) && DaemonPods.isReady(p)),
        Duration.ofSeconds(60));
  }

  /**
   * A percentage partition holds back that share of the nodes, rounded up (50% of 5 is 3); the
   * update node selector then lets only the nodes it selects move on, whatever the partition.
   */
  @Test
  void aPercentagePartitionRoundsUpAndTheUpdateNodeSelectorPicksTheNodes() {
    TestFleet fleet = new TestFleet("wave");
    List<String> plain = fleet.addNodes("n", 3);
    List<String> wave = fleet.addNodes("w", 2, "wave=one");
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 5, null);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(new IntOrString("50%"));
    fleet.create(nd);
    List<String> all = new java.util.ArrayList<>(plain);
    all.addAll(wave);
    fleet.awaitReadyOnExactly("agent", all);

    fleet.setImage("agent", NEW);
    fleet.awaitStatus("agent", updated(2, 2));
    assertThat(fleet.pods("agent").stream().filter(p -> OLD.equals(TestFleet.image(p))))
        .as("50%% of 5 nodes held back, rounded up")
        .hasSize(3);

    // Partition 0, but only the wave's nodes may update: the third plain node stays behind.
    fleet.patch(
        "agent",
        "[{\"op\": \"replace\", \"path\": \"/spec/updateStrategy/rollingUpdate/partition\","
            + " \"value\": 0}, {\"op\": \"add\", \"path\":"
            + " \"/spec/updateStrategy/rollingUpdate/nodeSelector\", \"value\": {\"wave\":"
            + " \"one\"}}]");
    fleet.awaitStatus("agent", updated(3, 4));
    Map<String, String> imageByNode =
        fleet.pods("agent").stream()
            .filter(p -> !DaemonPods.isTerminating(p))
            .collect(
                java.util.stream.Collectors.toMap(
                    p -> p.getSpec().getNodeName(), TestFleet::image));
    assertThat(wave).allSatisfy(n -> assertThat(imageByNode.get(n)).isEqualTo(NEW));
    assertThat(imageByNode.values().stream().filter(OLD::equals)).as("not selected").hasSize(1);
  }

  private static java.util.function.Predicate<NodeDaemon> updated(long generation, int count) {
    return n ->
        n.getStatus() != null
            && Long.valueOf(generation).equals(n.getStatus().getObservedGeneration())
            && Integer.valueOf(count).equals(n.getStatus().getUpdatedNumberScheduled())
            && Integer.valueOf(5).equals(n.getStatus().getNumberAvailable());
  }

  @Test
  void pauseStopsTheRolloutButServesANewNodeAndResumeFinishesIt() {
    TestFleet fleet = new TestFleet("pause");
    List<String> nodes = fleet.addNodes("n", 4);
    NodeDaemon nd = fleet.logAgent("agent");
    nd.getSpec()
        .getTemplate()
        .getMetadata()
        .setAnnotations(Map.of("pod-ready.stage.kwok.x-k8s.io/delay", "1s"));
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);

    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1)) {
      fleet.patch(
          "agent",
          "[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/image\", \"value\": \""
              + NEW
              + "\"}]");
      fleet.awaitPods(
          "agent",
          pods -> pods.stream().anyMatch(p -> NEW.equals(TestFleet.image(p))),
          Duration.ofSeconds(60));
      fleet.patch("agent", "[{\"op\": \"add\", \"path\": \"/spec/paused\", \"value\": true}]");

      // Paused: the node being updated finishes, nothing else moves.
      NodeDaemon paused =
          fleet.awaitStatus(
              "agent",
              n ->
                  n.getStatus() != null
                      && Long.valueOf(3).equals(n.getStatus().getObservedGeneration())
                      && Integer.valueOf(4).equals(n.getStatus().getNumberAvailable()));
      int updatedWhenPaused = paused.getStatus().getUpdatedNumberScheduled();
      assertThat(updatedWhenPaused).isBetween(1, 3);

      List<String> joined = fleet.addNodes("late", 1);
      List<Pod> afterJoin =
          fleet.awaitPods(
              "agent",
              pods ->
                  pods.stream()
                      .anyMatch(
                          p ->
                              joined.get(0).equals(p.getSpec().getNodeName())
                                  && DaemonPods.isReady(p)),
              Duration.ofSeconds(60));
      assertThat(afterJoin.stream().filter(p -> OLD.equals(TestFleet.image(p))))
          .as("old pods while paused")
          .hasSize(4 - updatedWhenPaused);
      assertThat(
              afterJoin.stream()
                  .filter(p -> joined.get(0).equals(p.getSpec().getNodeName()))
                  .map(TestFleet::image))
          .as("a node that joins while paused gets the current template")
          .containsExactly(NEW);

      fleet.patch("agent", "[{\"op\": \"replace\", \"path\": \"/spec/paused\", \"value\": false}]");
      fleet.awaitPods(
          "agent",
          pods ->
              pods.size() == 5
                  && pods.stream()
                      .allMatch(p -> NEW.equals(TestFleet.image(p)) && DaemonPods.isReady(p)),
          Duration.ofSeconds(90));
      assertThat(checker.violations()).isEmpty();
      assertThat(checker.peakNodesWithoutReadyPod()).isLessThanOrEqualTo(1);
    }
  }
}
