package dev.nodedaemon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.FailurePolicy;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodUpdatePolicy;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rollout state machine on the real control plane: failure detection with a progress deadline
 * and the nodes that block it, rollover to a fixed template, rollback by the operator (requested
 * and automatic), in-place updates, strict maxUnavailable, and an operator restart mid-rollout.
 * Broken images are kwok failure stages (hack/kwok/README.md): an image containing "crashloop"
 * crash-loops.
 */
class RolloutEngineIT {

  private static final String V1 = "example.com/agent:v1";
  private static final String V2 = "example.com/agent:v2";
  private static final String NEVER_PULLS = "example.com/agent:v3-nopull";
  private static final String CRASHES = "example.com/agent:v3-crashloop";
  private static final String FIXED = "example.com/agent:v4";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void aBrokenImageStopsAtTheBudgetFailsNamingTheNodeAndAFixedTemplateRollsForward() {
    TestFleet fleet = new TestFleet("broken");
    List<String> nodes = fleet.addNodes("n", 4);
    // The progress deadline's path: health gates would stop the broken image first.
    NodeDaemon nd = TestFleet.withoutHealthGates(agent(fleet, V1));
    nd.getSpec().setProgressDeadlineSeconds(4);
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1);
    fleet.setImage("agent", NEVER_PULLS);
    NodeDaemon failed = fleet.awaitStatus("agent", phase(RolloutPhase.Failed));

    assertThat(failed.getStatus().getBlockingNodes()).hasSize(1);
    String reason = failed.getStatus().getBlockingNodes().get(0).getReason();
    assertThat(reason).isIn("ErrImagePull", "ImagePullBackOff");
    assertThat(condition(failed, "Failed").getStatus()).isEqualTo("True");
    assertThat(condition(failed, "Failed").getMessage())
        .contains(failed.getStatus().getBlockingNodes().get(0).getNode() + ": " + reason);
    // maxUnavailable 1: one node tried the broken image, the other three still run v1.
    Map<String, Long> images =
        fleet.pods("agent").stream()
            .filter(p -> !DaemonPods.isTerminating(p))
            .collect(Collectors.groupingBy(TestFleet::image, Collectors.counting()));
    assertThat(images).isEqualTo(Map.of(V1, 3L, NEVER_PULLS, 1L));
    fleet.awaitEvents("agent", "ProgressDeadlineExceeded", 1, Duration.ofSeconds(30));
    checker.close();
    assertThat(checker.violations()).isEmpty();
    assertThat(checker.peakNodesWithoutReadyPod()).as("maxUnavailable 1").isEqualTo(1);

    // Rollover: the fixed template goes straight to every node, the broken pod first. As in the
    // built-in controller, the broken pod (now an old, unavailable one) is replaced outside the
    // budget, so at most one more node than the one already down is without a ready pod; strict
    // mode (strictModeNeverAddsToNodesThatAreAlreadyDown) counts it instead.
    PodInvariantChecker rollover =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1);
    fleet.setImage("agent", FIXED);
    fleet.awaitAllOnImage("agent", nodes, FIXED);
    rollover.close();
    assertThat(rollover.violations()).isEmpty();
    assertThat(rollover.peakNodesWithoutReadyPod()).isLessThanOrEqualTo(2);
    NodeDaemon done = fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    assertThat(condition(done, "Failed").getStatus()).isEqualTo("False");
    assertThat(condition(done, "Complete").getStatus()).isEqualTo("True");
    assertThat(done.getStatus().getBlockingNodes()).isNull();
    // Events are written off the reconcile thread: wait for them rather than read once. Each of
    // the three rollouts (v1, the broken image, the fix) is started once; two of them completed.
    awaitEvent(fleet, "RolloutStarted", 3);
    awaitEvent(fleet, "RolloutComplete", 2);
    List<String> reasons = fleet.eventReasons("agent");
    assertThat(java.util.Collections.frequency(reasons, "RolloutStarted")).isEqualTo(3);
    assertThat(java.util.Collections.frequency(reasons, "RolloutComplete")).isEqualTo(2);
  }

  @Test
  void rollbackToThePreviousOrANamedRevisionIsDoneByTheOperator() {
    TestFleet fleet = new TestFleet("undo");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon first = agent(fleet, V1);
    first.getMetadata().setAnnotations(Map.of("kubernetes.io/change-cause", "install v1"));
    fleet.create(first);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.patch(
        "agent",
        "[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/image\","
            + " \"value\": \""
            + V2
            + "\"}, {\"op\": \"replace\", \"path\":"
            + " \"/metadata/annotations/kubernetes.io~1change-cause\", \"value\": \"bump to v2\"}]");
    fleet.awaitAllOnImage("agent", nodes, V2);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1);
    fleet.patch("agent", "[{\"op\": \"add\", \"path\": \"/spec/rollbackTo\", \"value\": {}}]");

    fleet.awaitAllOnImage("agent", nodes, V1);
    checker.close();
    assertThat(checker.violations()).isEmpty();
    assertThat(checker.peakNodesWithoutReadyPod()).isLessThanOrEqualTo(1);
    NodeDaemon back =
        fleet.awaitStatus(
            "agent", nd -> phase(RolloutPhase.Complete).test(nd) && image(nd).equals(V1));
    assertThat(back.getSpec().getRollbackTo()).isNull();
    assertThat(back.getStatus().getLastRollback().getFromRevision()).isEqualTo(2L);
    assertThat(back.getStatus().getLastRollback().getToRevision()).isEqualTo(1L);
    assertThat(back.getStatus().getLastRollback().getReason()).isEqualTo("Requested");
    awaitEvent(fleet, "RolledBack", 1);
    awaitEvent(fleet, "RollbackStarted", 1);
    // The history: v1 came back as revision 3 with its own change-cause, v2 is revision 2.
    assertThat(back.getMetadata().getAnnotations())
        .containsEntry("kubernetes.io/change-cause", "install v1");
    Map<Long, String> history =
        fleet
            .client()
            .apps()
            .controllerRevisions()
            .inNamespace(fleet.namespace())
            .withLabel("nodedaemon.dev/name", "agent")
            .list()
            .getItems()
            .stream()
            .collect(
                Collectors.toMap(
                    r -> r.getRevision(),
                    r -> r.getMetadata().getAnnotations().get("kubernetes.io/change-cause")));
    assertThat(history).isEqualTo(Map.of(2L, "bump to v2", 3L, "install v1"));

    // Revision 1 was renumbered 3 when it came back; 2 is still V2.
    fleet.patch(
        "agent",
        "[{\"op\": \"add\", \"path\": \"/spec/rollbackTo\", \"value\": {\"revision\": 2}}]");
    fleet.awaitAllOnImage("agent", nodes, V2);

    fleet.patch(
        "agent",
        "[{\"op\": \"add\", \"path\": \"/spec/rollbackTo\", \"value\": {\"revision\": 99}}]");
    NodeDaemon refused =
        fleet.awaitStatus(
            "agent",
            nd ->
                nd.getStatus().getLastRollback() != null
                    && "RevisionNotFound".equals(nd.getStatus().getLastRollback().getReason()));
    assertThat(refused.getSpec().getRollbackTo()).isNull();
    assertThat(image(refused)).isEqualTo(V2);
    fleet.awaitEvents("agent", "RollbackRevisionNotFound", 1, Duration.ofSeconds(30));
  }

  @Test
  void failurePolicyRollbackUndoesAFailedRollout() {
    TestFleet fleet = new TestFleet("autoundo");
    List<String> nodes = fleet.addNodes("n", 3);
    // The progress deadline's path: health gates would stop the broken image first.
    NodeDaemon nd = TestFleet.withoutHealthGates(agent(fleet, V1));
    nd.getSpec().setProgressDeadlineSeconds(4);
    nd.getSpec().setFailurePolicy(FailurePolicy.Rollback);
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    fleet.setImage("agent", CRASHES);

    fleet.awaitAllOnImage("agent", nodes, V1);
    NodeDaemon back =
        fleet.awaitStatus(
            "agent", n -> phase(RolloutPhase.Complete).test(n) && image(n).equals(V1));
    assertThat(back.getStatus().getLastRollback().getReason())
        .isEqualTo("ProgressDeadlineExceeded");
    awaitEvent(fleet, "ProgressDeadlineExceeded", 1);
    awaitEvent(fleet, "RolledBack", 1);
    awaitEvent(fleet, "RolloutComplete", 2);
  }

  @Test
  void anImageOnlyChangeUpdatesPodsInPlaceAndAnyOtherChangeRecreatesThem() {
    TestFleet fleet = new TestFleet("inplace");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon nd = agent(fleet, V1);
    nd.getSpec()
        .getUpdateStrategy()
        .getRollingUpdate()
        .setPodUpdatePolicy(PodUpdatePolicy.InPlaceIfPossible);
    fleet.create(nd);
    List<String> uids = uids(fleet.awaitReadyOnExactly("agent", nodes));

    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1)) {
      fleet.setImage("agent", V2);
      List<Pod> updated = fleet.awaitAllOnImage("agent", nodes, V2);
      fleet.awaitStatus("agent", n -> phase(RolloutPhase.Complete).test(n) && image(n).equals(V2));

      assertThat(uids(updated)).as("same pods").isEqualTo(uids);
      assertThat(updated)
          .allSatisfy(
              p -> {
                assertThat(p.getStatus().getContainerStatuses().get(0).getImage()).isEqualTo(V2);
                assertThat(p.getStatus().getContainerStatuses().get(0).getRestartCount())
                    .isEqualTo(1);
              });
      assertThat(checker.violations()).isEmpty();
      assertThat(checker.peakNodesWithoutReadyPod()).as("maxUnavailable 1").isEqualTo(1);
    }
    fleet.awaitEvents("agent", "SuccessfulUpdatePodInPlace", 3, Duration.ofSeconds(30));

    fleet.patch(
        "agent",
        "[{\"op\": \"add\", \"path\": \"/spec/template/spec/containers/0/args\","
            + " \"value\": [\"--verbose\"]}]");
    List<Pod> recreated =
        fleet.awaitPods(
            "agent",
            pods ->
                pods.size() == 3
                    && pods.stream()
                        .allMatch(
                            p ->
                                DaemonPods.isReady(p)
                                    && p.getSpec().getContainers().get(0).getArgs() != null
                                    && !p.getSpec().getContainers().get(0).getArgs().isEmpty()),
            Duration.ofSeconds(90));
    assertThat(uids(recreated)).doesNotContainAnyElementsOf(uids);
  }

  @Test
  void strictModeNeverAddsToNodesThatAreAlreadyDown() {
    TestFleet fleet = new TestFleet("strict");
    List<String> nodes = fleet.addNodes("n", 4);
    NodeDaemon nd = agent(fleet, V1);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setStrict(true);
    fleet.create(nd);
    List<Pod> pods = fleet.awaitReadyOnExactly("agent", nodes);
    // One pod stops being ready on its own (kwok fault annotation), before the update.
    Pod sick = pods.get(0);
    fleet
        .client()
        .pods()
        .inNamespace(fleet.namespace())
        .withName(sick.getMetadata().getName())
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\": {\"annotations\": {\"nodedaemon.dev/fake\": \"notready\"}}}");
    fleet.awaitPods(
        "agent",
        ps -> ps.stream().filter(DaemonPods::isReady).count() == 3,
        Duration.ofSeconds(30));

    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1)) {
      fleet.setImage("agent", V2);
      fleet.awaitAllOnImage("agent", nodes, V2);

      assertThat(checker.violations()).isEmpty();
      // The sick node is the budget: the update never takes a second node down.
      assertThat(checker.peakNodesWithoutReadyPod()).isEqualTo(1);
    }
  }

  @Test
  void anOperatorRestartMidRolloutFinishesItWithinTheBudgetAndWithoutDuplicates() {
    TestFleet fleet = new TestFleet("midroll");
    List<String> nodes = fleet.addNodes("n", 6);
    NodeDaemon nd = agent(fleet, V1);
    TestFleet.withReadyDelay(nd, "2s");
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);

    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1)) {
      fleet.setImage("agent", V2);
      fleet.awaitPods(
          "agent",
          pods -> pods.stream().filter(p -> V2.equals(TestFleet.image(p))).count() >= 2,
          Duration.ofSeconds(60));
      SharedOperator.killAndRestart();
      fleet.awaitAllOnImage("agent", nodes, V2);
      NodeDaemon done =
          fleet.awaitStatus(
              "agent", n -> phase(RolloutPhase.Complete).test(n) && image(n).equals(V2));

      assertThat(checker.violations()).isEmpty();
      assertThat(checker.peakPerNode()).isEqualTo(1);
      assertThat(checker.peakNodesWithoutReadyPod()).isEqualTo(1);
      assertThat(done.getStatus().getUpdatedNumberAvailable()).isEqualTo(6);
    }
  }

  /**
   * The brief's "refusing hostPort with maxSurge instead of deadlocking": the surge pod could never
   * be scheduled beside the old one, so the operator holds the update, says why, and replaces no
   * pod; switching to maxUnavailable lets the same template roll.
   */
  @Test
  void aSurgeWithAHostPortIsHeldWithItsReasonAndNoPodIsTouched() {
    TestFleet fleet = new TestFleet("hostport");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon nd = agent(fleet, V1);
    TestFleet.withHostPort(nd, 9100);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setMaxUnavailable(new IntOrString(0));
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setMaxSurge(new IntOrString(1));
    fleet.create(nd);
    List<String> before =
        fleet.awaitReadyOnExactly("agent", nodes).stream()
            .map(p -> p.getMetadata().getUid())
            .toList();
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    fleet.setImage("agent", V2);
    NodeDaemon held = fleet.awaitStatus("agent", phase(RolloutPhase.Paused));
    assertThat(condition(held, "Paused").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(held, "Paused").getMessage())
        .startsWith(
            "maxSurge cannot be used with host ports (container fluentd-elasticsearch uses hostPort"
                + " 9100)");
    awaitEvent(fleet, "InvalidSpec", 1);
    assertThat(fleet.pods("agent").stream().map(p -> p.getMetadata().getUid()))
        .as("the running pods, untouched")
        .containsExactlyInAnyOrderElementsOf(before);

    fleet.patch(
        "agent",
        "[{\"op\": \"replace\", \"path\": \"/spec/updateStrategy/rollingUpdate\","
            + " \"value\": {\"maxUnavailable\": 1, \"maxSurge\": 0}}]");
    fleet.awaitAllOnImage("agent", nodes, V2);
    NodeDaemon done = fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    assertThat(condition(done, "Paused").getStatus()).isEqualTo("False");
  }

  @Test
  void pauseAndResumeAreVisibleAsPhaseConditionAndEvents() {
    TestFleet fleet = new TestFleet("pausephase");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon nd = agent(fleet, V1);
    TestFleet.withReadyDelay(nd, "1s");
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete)); // the first of two RolloutComplete
    fleet.patch(
        "agent",
        "[{\"op\": \"add\", \"path\": \"/spec/paused\", \"value\": true},"
            + " {\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/image\","
            + " \"value\": \""
            + V2
            + "\"}]");

    NodeDaemon paused = fleet.awaitStatus("agent", phase(RolloutPhase.Paused));
    assertThat(condition(paused, "Paused").getStatus()).isEqualTo("True");
    assertThat(paused.getStatus().getUpdatedNumberScheduled()).isZero();

    fleet.patch("agent", "[{\"op\": \"replace\", \"path\": \"/spec/paused\", \"value\": false}]");
    fleet.awaitAllOnImage("agent", nodes, V2);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    awaitEvent(fleet, "RolloutPaused", 1);
    awaitEvent(fleet, "RolloutResumed", 1);
    awaitEvent(fleet, "RolloutComplete", 2);
  }

  private static void awaitEvent(TestFleet fleet, String reason, int count) {
    fleet.awaitEvents("agent", reason, count, Duration.ofSeconds(30));
  }

  private static NodeDaemon agent(TestFleet fleet, String image) {
    NodeDaemon nd = fleet.logAgent("agent");
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
    return TestFleet.withRollingUpdate(nd, 1, null);
  }

  private static java.util.function.Predicate<NodeDaemon> phase(RolloutPhase phase) {
    return nd ->
        nd.getStatus() != null
            && phase == nd.getStatus().getPhase()
            && nd.getMetadata().getGeneration().equals(nd.getStatus().getObservedGeneration());
  }

  private static String image(NodeDaemon nd) {
    return nd.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static Condition condition(NodeDaemon nd, String type) {
    return nd.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).sorted().toList();
  }
}
