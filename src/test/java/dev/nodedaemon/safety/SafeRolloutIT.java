package dev.nodedaemon.safety;

import static dev.nodedaemon.testing.StatusChecks.condition;
import static dev.nodedaemon.testing.StatusChecks.conditionIs;
import static dev.nodedaemon.testing.StatusChecks.heldBy;
import static dev.nodedaemon.testing.StatusChecks.image;
import static dev.nodedaemon.testing.StatusChecks.phase;
import static dev.nodedaemon.testing.TestFleet.intOrPercent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.GateFailureAction;
import dev.nodedaemon.api.HealthGates;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutStep;
import dev.nodedaemon.api.StepPause;
import dev.nodedaemon.api.StepState;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.revision.Rollbacks;
import dev.nodedaemon.testing.ImageHistory;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Staged, gated rollouts on the real control plane: a bad agent is caught on its first nodes and
 * rolled back by the operator, with and without steps; a healthy one soaks and promotes; a node the
 * new pod breaks fails its gate; a node NotReady before the update does not hold the rollout; a
 * frozen NodeDaemon writes nothing; a revision marked bad is not rolled again until retried. kwok
 * plays the faults (hack/kwok/README.md): an image with "crashloop" crash-loops at once, one with
 * "breaknode" turns its node NotReady.
 */
class SafeRolloutIT {

  private static final String V1 = "example.com/agent:v1";
  private static final String V2 = "example.com/agent:v2";
  private static final String CRASHES = "example.com/agent:v2-crashloop";
  private static final String BREAKS_NODE = "example.com/agent:v2-breaknode";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void aCrashingCanaryFailsItsGateNoSecondNodeIsTouchedAndTheOperatorRollsBack() {
    TestFleet fleet = new TestFleet("canary");
    List<String> nodes = fleet.addNodes("n", 20);
    NodeDaemon nd = agent(fleet, "100%");
    steps(nd, step(1, null), step("10%", null), step("50%", null), step("100%", null));
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    try (ImageHistory history = new ImageHistory(fleet.client(), fleet.namespace(), "agent")) {
      fleet.setImage("agent", CRASHES);

      fleet.awaitEvents("agent", "RolledBack", 1, Duration.ofSeconds(60));
      fleet.awaitAllOnImage("agent", nodes, V1);
      NodeDaemon back =
          fleet.awaitStatus(
              "agent", n -> phase(RolloutPhase.Complete).test(n) && image(n).equals(V1));

      assertThat(history.nodesThatRan(CRASHES)).as("only the canary").hasSize(1);
      assertThat(back.getStatus().getLastRollback().getReason()).isEqualTo("HealthGateFailed");
      assertThat(back.getStatus().getLastRollback().getFromRevision()).isEqualTo(2L);
      assertThat(badMark(fleet, 2)).contains("CrashLoopBackOff");
      for (String reason :
          List.of("HealthGateFailed", "RolloutHalted", "RevisionMarkedBad", "RollbackStarted")) {
        fleet.awaitEvents("agent", reason, 1, Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void withoutStepsALargeBudgetIsStoppedAfterItsFirstBatch() {
    TestFleet fleet = new TestFleet("batch");
    List<String> nodes = fleet.addNodes("n", 10);
    fleet.create(agent(fleet, "30%"));
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    try (ImageHistory history = new ImageHistory(fleet.client(), fleet.namespace(), "agent")) {
      fleet.setImage("agent", CRASHES);

      fleet.awaitEvents("agent", "RolledBack", 1, Duration.ofSeconds(60));
      fleet.awaitAllOnImage("agent", nodes, V1);
      fleet.awaitStatus("agent", n -> phase(RolloutPhase.Complete).test(n) && image(n).equals(V1));
      assertThat(history.nodesThatRan(CRASHES))
          .as("maxUnavailable 30%% of 10: one batch of 3, never a second")
          .hasSizeBetween(1, 3);
    }
  }

  @Test
  void aHealthyStagedRolloutWaitsForAPromoteThenSoaksAndPromotesItself() {
    TestFleet fleet = new TestFleet("promote");
    List<String> nodes = fleet.addNodes("n", 10);
    NodeDaemon nd = agent(fleet, "100%");
    steps(nd, step(1, new StepPause()), step("50%", new StepPause("3s")), step("100%", null));
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    fleet.setImage("agent", V2);
    NodeDaemon waiting =
        fleet.awaitStatus(
            "agent",
            n ->
                phase(RolloutPhase.Paused).test(n)
                    && n.getStatus().getRollout().getStepState() == StepState.WaitingForPromote);
    assertThat(waiting.getStatus().getRollout().getStep()).isEqualTo(1);
    assertThat(condition(waiting, "Paused").getReason()).isEqualTo("StepWaitingForPromote");
    assertThat(live(fleet).stream().filter(p -> V2.equals(TestFleet.image(p))))
        .as("the canary alone")
        .hasSize(1);

    fleet.patch(
        "agent", "[{\"op\": \"add\", \"path\": \"/spec/promote\", \"value\": {\"fromStep\": 1}}]");
    fleet.awaitAllOnImage("agent", nodes, V2);
    NodeDaemon done = fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    assertThat(done.getSpec().getPromote()).as("the operator removed the request").isNull();
    fleet.awaitEvents("agent", "StepPromoted", 1, Duration.ofSeconds(30));
    fleet.awaitEvents("agent", "StepSoaking", 1, Duration.ofSeconds(30));
    fleet.awaitEvents("agent", "StepCompleted", 1, Duration.ofSeconds(30));
    fleet.awaitEvents("agent", "RolloutComplete", 2, Duration.ofSeconds(30));
    assertThat(Collections.frequency(fleet.eventReasons("agent"), "StepStarted"))
        .as("steps 1, 2 and 3")
        .isEqualTo(3);
  }

  @Test
  void aNodeThatTurnsNotReadyAfterItsPodIsUpdatedFailsItsGate() {
    TestFleet fleet = new TestFleet("breaknode");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon nd = agent(fleet, 1);
    HealthGates gates = new HealthGates();
    gates.setOnFailure(GateFailureAction.Pause);
    nd.getSpec().setHealthGates(gates);
    // The node breaks a moment after its new pod is ready; minReadySeconds keeps the next node
    // waiting that long, as a team rolling out a CNI driver would.
    nd.getSpec().setMinReadySeconds(5);
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    try (ImageHistory history = new ImageHistory(fleet.client(), fleet.namespace(), "agent")) {
      fleet.setImage("agent", BREAKS_NODE);
      NodeDaemon held = fleet.awaitStatus("agent", heldBy("HealthGateFailed"));

      assertThat(held.getStatus().getRollout().getGateFailures())
          .extracting(f -> f.getReason())
          .containsExactly("NodeNotReady");
      assertThat(history.nodesThatRan(BREAKS_NODE)).hasSize(1);
      String broken = held.getStatus().getRollout().getGateFailures().get(0).getNode();
      fleet.cluster().cluster("node-ready", broken);
    } finally {
      for (String node : nodes) {
        fleet.cluster().cluster("node-ready", node);
      }
    }
  }

  @Test
  void aNodeNotReadyBeforeTheUpdateNeitherHoldsTheRolloutNorIsTouchedUntilItComesBack() {
    TestFleet fleet = new TestFleet("skipnotready");
    List<String> nodes = fleet.addNodes("n", 4);
    fleet.create(agent(fleet, 1));
    List<Pod> before = fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    String down = nodes.get(0);
    Pod downPod =
        before.stream()
            .filter(p -> down.equals(DaemonPods.targetNode(p).orElse("")))
            .findFirst()
            .orElseThrow();
    fleet.cluster().cluster("node-not-ready", down);
    try {
      awaitNodeNotReady(fleet, down);

      fleet.setImage("agent", V2);
      fleet.awaitPods(
          "agent",
          pods ->
              live(pods).size() == 4
                  && live(pods).stream()
                      .allMatch(
                          p ->
                              DaemonPods.isReady(p)
                                  && (down.equals(p.getSpec().getNodeName())
                                      ? p.getMetadata()
                                          .getUid()
                                          .equals(downPod.getMetadata().getUid())
                                      : V2.equals(TestFleet.image(p)))),
          Duration.ofSeconds(120));
      NodeDaemon done = fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
      assertThat(done.getStatus().getRollout().getTargetNodes()).isEqualTo(3);
      assertThat(fleet.pods("agent"))
          .as("the NotReady node's pod is untouched")
          .anyMatch(p -> p.getMetadata().getUid().equals(downPod.getMetadata().getUid()));
    } finally {
      fleet.cluster().cluster("node-ready", down);
    }
    fleet.awaitAllOnImage("agent", nodes, V2);
  }

  @Test
  void aFrozenNodeDaemonGivesAJoiningNodeNoPodUntilItIsUnfrozen() {
    TestFleet fleet = new TestFleet("freeze");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(agent(fleet, 1));
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.patch("agent", "[{\"op\": \"add\", \"path\": \"/spec/frozen\", \"value\": true}]");
    fleet.awaitStatus("agent", n -> conditionIs(n, "Frozen", "True"));

    List<String> joined = fleet.addNodes("late", 1);
    NodeDaemon frozen =
        fleet.awaitStatus("agent", n -> n.getStatus().getDesiredNumberScheduled() == 3);
    assertThat(frozen.getStatus().getCurrentNumberScheduled()).isEqualTo(2);
    fleet.assertNoPodsOn("agent", joined.get(0));
    fleet.awaitEvents("agent", "Frozen", 1, Duration.ofSeconds(30));

    fleet.patch("agent", "[{\"op\": \"remove\", \"path\": \"/spec/frozen\"}]");
    List<String> all = new java.util.ArrayList<>(nodes);
    all.addAll(joined);
    fleet.awaitReadyOnExactly("agent", all);
    fleet.awaitEvents("agent", "Unfrozen", 1, Duration.ofSeconds(30));
  }

  @Test
  void aRevisionMarkedBadIsNotRolledWhenReappliedButIsAfterARetry() {
    TestFleet fleet = new TestFleet("retry");
    List<String> nodes = fleet.addNodes("n", 4);
    fleet.create(agent(fleet, 1));
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    fleet.setImage("agent", CRASHES);
    fleet.awaitEvents("agent", "RolledBack", 1, Duration.ofSeconds(60));
    fleet.awaitAllOnImage("agent", nodes, V1);
    fleet.awaitStatus("agent", n -> phase(RolloutPhase.Complete).test(n) && image(n).equals(V1));

    try (PodInvariantChecker checker =
            new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1);
        ImageHistory history = new ImageHistory(fleet.client(), fleet.namespace(), "agent")) {
      // Re-applied, as a GitOps sync of the old manifest would: held, nothing touched.
      fleet.setImage("agent", CRASHES);
      NodeDaemon held = fleet.awaitStatus("agent", heldBy("RevisionMarkedBad"));
      assertThat(condition(held, "Paused").getMessage()).contains("spec.retry");
      assertThat(history.nodesThatRan(CRASHES)).isEmpty();
      assertThat(history.deletedUids()).isEmpty();

      fleet.patch("agent", "[{\"op\": \"add\", \"path\": \"/spec/retry\", \"value\": true}]");
      fleet.awaitEvents("agent", "RevisionRetried", 1, Duration.ofSeconds(30));
      fleet.awaitPods(
          "agent",
          pods -> pods.stream().anyMatch(p -> CRASHES.equals(TestFleet.image(p))),
          Duration.ofSeconds(60));
      // The operator removes the request once carried out (after its event, which is written
      // off the reconcile thread, so wait for it).
      fleet
          .client()
          .resources(NodeDaemon.class)
          .inNamespace(fleet.namespace())
          .withName("agent")
          .waitUntilCondition(
              n -> n.getSpec().getRetry() == null, 30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(checker.violations()).isEmpty();
    }
  }

  // --- fixtures ---

  private static NodeDaemon agent(TestFleet fleet, Object maxUnavailable) {
    NodeDaemon nd = fleet.logAgent("agent");
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(V1);
    return TestFleet.withRollingUpdate(nd, maxUnavailable, null);
  }

  private static void steps(NodeDaemon nd, RolloutStep... steps) {
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setSteps(List.of(steps));
  }

  private static RolloutStep step(Object nodes, StepPause pause) {
    return new RolloutStep(intOrPercent(nodes), pause);
  }

  private static List<Pod> live(TestFleet fleet) {
    return live(fleet.pods("agent"));
  }

  private static List<Pod> live(List<Pod> pods) {
    return pods.stream().filter(p -> !DaemonPods.isTerminating(p)).toList();
  }

  private static String badMark(TestFleet fleet, long revision) {
    ControllerRevision found =
        fleet
            .client()
            .apps()
            .controllerRevisions()
            .inNamespace(fleet.namespace())
            .list()
            .getItems()
            .stream()
            .filter(r -> r.getRevision() == revision)
            .findFirst()
            .orElseThrow();
    return Rollbacks.badReason(found).orElse("");
  }

  private static void awaitNodeNotReady(TestFleet fleet, String node) {
    fleet
        .client()
        .nodes()
        .withName(node)
        .waitUntilCondition(
            n ->
                n.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && !"True".equals(c.getStatus())),
            60,
            java.util.concurrent.TimeUnit.SECONDS);
  }
}
