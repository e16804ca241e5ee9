package dev.nodedaemon.plan;

import static dev.nodedaemon.testing.TestFleet.intOrPercent;
import static dev.nodedaemon.testing.TestFleet.withRollingUpdate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.ConditionType;
import dev.nodedaemon.api.GateFailureAction;
import dev.nodedaemon.api.HealthGates;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.NotReadyNodePolicy;
import dev.nodedaemon.api.PromoteRequest;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutStep;
import dev.nodedaemon.api.StepPause;
import dev.nodedaemon.api.StepState;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.testing.PlanInputs;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Sync-level tables for the safe-rollout engine, in the manner of the built-in controller's {@code
 * expectSyncDaemonSets}: a fleet, one decision, the writes and phase it must make. Each reconcile
 * keeps its status as the next one's previous status, so multi-step stories replay exactly.
 */
public class RolloutDeciderTest {

  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  private static final String GOOD = "good1";
  private static final String NEXT = "next2";

  private final List<Node> nodes = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();
  private NodeDaemon nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), 1, null);
  private Map<String, String> badRevisions = Map.of();
  private Optional<String> refusal = Optional.empty();

  // --- bad input never deletes a working pod ---

  @Test
  void aTemplateTheApiServerRefusesDeletesNoWorkingPodEvenWithAFullBudget() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "100%", null);
    fleetOnGood(5);
    refusal = Optional.of("the API server refuses its pods: Pod \"x\" is invalid: name: Bad_Name");

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().deletes()).as("deletes").isEmpty();
    assertThat(d.plan().creates()).as("creates").isEmpty();
    assertThat(d.plan().inPlaceUpdates()).isEmpty();
    assertThat(d.rollout().phase()).isEqualTo(RolloutPhase.Paused);
    assertThat(condition(d, ConditionType.Paused).getReason()).isEqualTo("PodTemplateRejected");
    assertThat(reasons(d)).contains("PodTemplateRejected");
  }

  @Test
  void withTheRefusalGoneTheSameFleetRollsWithinItsBudget() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "100%", null);
    fleetOnGood(5);

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().deletes()).hasSize(5);
  }

  @Test
  void aRefusedTemplateKeepsAFailedPodRatherThanDeleteItWithoutReplacement() {
    node("n1");
    Pod failed = pod("n1", GOOD, "Failed", false, T0.minusSeconds(60));
    refusal = Optional.of("refused");

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().deletes()).isEmpty();
    assertThat(d.plan().creates()).isEmpty();
    assertThat(pods).contains(failed);
  }

  // --- health gates in every batch ---

  @Test
  void aCrashLoopingPodInTheFirstBatchStopsTheRolloutAndNoSecondNodeIsTouched() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "50%", null);
    fleetOnGood(6);
    // The first batch (3 nodes) already runs the new revision; one of them crash-loops.
    replaceWithNext("n0", true);
    replaceWithNext("n1", true);
    Pod crashing = replaceWithNext("n2", false);
    crashLoop(crashing, 2);

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().gates().failed()).isTrue();
    assertThat(d.plan().gates().failures())
        .extracting(f -> f.getNode() + " " + f.getReason())
        .containsExactly("n2 CrashLoopBackOff");
    assertThat(d.plan().deletes()).as("no old pod of the second batch is deleted").isEmpty();
    assertThat(d.rollout().phase()).isEqualTo(RolloutPhase.Failed);
    assertThat(condition(d, ConditionType.Failed).getReason()).isEqualTo("HealthGateFailed");
    assertThat(reasons(d)).contains("HealthGateFailed", "RolloutHalted");
    assertThat(d.markBad()).isTrue();
    assertThat(d.rollbackForGates()).isTrue();
  }

  @Test
  void withoutTheCrashTheSameFleetGoesOnToTheNextBatch() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "50%", null);
    fleetOnGood(6);
    replaceWithNext("n0", true);
    replaceWithNext("n1", true);
    replaceWithNext("n2", true);

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().gates().failed()).isFalse();
    assertThat(d.plan().deletes()).hasSize(3);
  }

  @Test
  void gatesWithActionPauseHoldTheRolloutWithoutFailingIt() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "50%", null);
    HealthGates gates = new HealthGates();
    gates.setOnFailure(GateFailureAction.Pause);
    nodeDaemon.getSpec().setHealthGates(gates);
    fleetOnGood(4);
    crashLoop(replaceWithNext("n0", false), 1);

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.rollout().phase()).isEqualTo(RolloutPhase.Paused);
    assertThat(condition(d, ConditionType.Paused).getReason()).isEqualTo("HealthGateFailed");
    assertThat(d.plan().deletes()).isEmpty();
    assertThat(d.markBad()).isTrue();
    assertThat(d.rollbackForGates()).isFalse();
  }

  @Test
  void aGateFailureIsStickyWithinTheRevisionThoughThePodRecoversBetweenCrashes() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "50%", null);
    fleetOnGood(4);
    Pod crashing = replaceWithNext("n0", false);
    crashLoop(crashing, 1);
    decide(T0);
    // Between two crashes the container runs and is ready for a moment.
    pods.remove(crashing);
    replaceWithNext("n0", true);

    RolloutDecider.Decision again = decide(T0.plusSeconds(5));

    assertThat(again.plan().gates().failed()).isTrue();
    assertThat(again.plan().deletes()).isEmpty();
  }

  @Test
  void turnedOffGatesLetTheBatchGoOn() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "50%", null);
    HealthGates gates = new HealthGates();
    gates.setEnabled(false);
    nodeDaemon.getSpec().setHealthGates(gates);
    fleetOnGood(4);
    crashLoop(replaceWithNext("n0", false), 1);

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().gates().failed()).isFalse();
    assertThat(d.rollout().phase()).isEqualTo(RolloutPhase.Progressing);
  }

  @Test
  void aNodeThatTurnsNotReadyAfterItsPodWasUpdatedFailsTheGate() {
    fleetOnGood(3);
    replaceWithNext("n0", true);
    nodes.set(0, notReady("n0", T0.minusSeconds(5)));

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().gates().failures())
        .extracting(f -> f.getNode() + " " + f.getReason())
        .containsExactly("n0 NodeNotReady");
  }

  @Test
  void aNodeNotReadyBeforeTheUpdateIsSkippedNeitherTouchedNorBlocking() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), 1, null);
    fleetOnGood(3);
    nodes.set(0, notReady("n0", T0.minusSeconds(3600)));

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().deletes())
        .extracting(del -> nodeOf(del.pod()))
        .as("the budget goes to a Ready node")
        .containsExactly("n1");
    assertThat(d.plan().rollout().skippedNotReady()).isEqualTo(1);
    assertThat(d.plan().rollout().rolloutTarget()).isEqualTo(2);
  }

  @Test
  void underTheUpdatePolicyANotReadyNodeIsReplacedLikeTheBuiltIn() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), 1, null);
    nodeDaemon
        .getSpec()
        .getUpdateStrategy()
        .getRollingUpdate()
        .setNotReadyNodes(NotReadyNodePolicy.Update);
    fleetOnGood(3);
    nodes.set(0, notReady("n0", T0.minusSeconds(3600)));
    pods.set(0, pod("n0", GOOD, "Running", false, T0.minusSeconds(7200)));

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().deletes()).extracting(del -> nodeOf(del.pod())).contains("n0");
    assertThat(d.plan().rollout().rolloutTarget()).isEqualTo(3);
  }

  // --- a revision marked bad ---

  @Test
  void aRevisionMarkedBadIsNotRolledAndNewNodesGetTheStableRevision() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "100%", null);
    fleetOnGood(3);
    node("n3"); // joins, has no pod
    badRevisions = Map.of(NEXT, "n0: CrashLoopBackOff at 2026-11-30T09:00:00Z");

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().deletes()).isEmpty();
    assertThat(d.plan().creates()).containsExactly("n3");
    assertThat(d.plan().createRevision()).isEqualTo(GOOD);
    assertThat(d.rollout().phase()).isEqualTo(RolloutPhase.Paused);
    assertThat(condition(d, ConditionType.Paused).getReason()).isEqualTo("RevisionMarkedBad");
  }

  @Test
  void retryRollsARevisionMarkedBad() {
    fleetOnGood(3);
    badRevisions = Map.of(NEXT, "earlier failure");
    nodeDaemon.getSpec().setRetry(true);

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().deletes()).hasSize(1);
    assertThat(d.plan().createRevision()).isNull();
  }

  // --- steps ---

  @Test
  void stepsExposeTheCanaryFirstThenWaitForAPromote() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "100%", null);
    steps(step(1, new StepPause()), step("50%", null), step("100%", null));
    fleetOnGood(10);

    RolloutDecider.Decision first = decide(T0);
    assertThat(first.plan().deletes()).as("only the canary").hasSize(1);
    assertThat(first.rollout().progress().getStep()).isEqualTo(1);
    assertThat(reasons(first)).contains("RolloutStarted", "StepStarted");

    replaceWithNext("n0", true);
    RolloutDecider.Decision waiting = decide(T0.plusSeconds(10));
    assertThat(waiting.plan().deletes()).isEmpty();
    assertThat(waiting.rollout().phase()).isEqualTo(RolloutPhase.Paused);
    assertThat(waiting.rollout().progress().getStepState()).isEqualTo(StepState.WaitingForPromote);
    assertThat(reasons(waiting)).contains("StepWaitingForPromote");

    nodeDaemon.getSpec().setPromote(new PromoteRequest(1, null));
    RolloutDecider.Decision promoted = decide(T0.plusSeconds(20));
    assertThat(promoted.rollout().progress().getStep()).isEqualTo(2);
    assertThat(promoted.plan().deletes()).as("step 2 exposes 50%: 4 more nodes").hasSize(4);
  }

  @Test
  void aFirstInstallWithStepsCompletesWithoutWaitingForAPromote() {
    steps(step(1, new StepPause()), step("100%", null));
    for (int i = 0; i < 4; i++) {
      node("n" + i);
      pod("n" + i, NEXT, "Running", true, T0.minusSeconds(60));
    }
    NodeDaemonStatus none = new NodeDaemonStatus();
    nodeDaemon.setStatus(none);

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.rollout().phase()).isEqualTo(RolloutPhase.Complete);
  }

  @Test
  void aPromoteNamingAnotherStepIsANoOp() {
    steps(step(1, new StepPause()), step("100%", null));
    fleetOnGood(4);
    decide(T0);
    replaceWithNext("n0", true);
    decide(T0.plusSeconds(1));
    nodeDaemon.getSpec().setPromote(new PromoteRequest(2, null));

    RolloutDecider.Decision d = decide(T0.plusSeconds(2));

    assertThat(d.rollout().progress().getStep()).isEqualTo(1);
    assertThat(d.plan().deletes()).isEmpty();
  }

  @Test
  void aSoakingStepPromotesItselfWhenTheSoakEnds() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "100%", null);
    steps(step(1, new StepPause("60s")), step("100%", null));
    fleetOnGood(4);
    decide(T0);
    replaceWithNext("n0", true);

    RolloutDecider.Decision soaking = decide(T0.plusSeconds(1));
    assertThat(soaking.rollout().progress().getStepState()).isEqualTo(StepState.Soaking);
    assertThat(soaking.rollout().phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(soaking.requeueAfter()).contains(Duration.ofSeconds(60));

    RolloutDecider.Decision stillSoaking = decide(T0.plusSeconds(30));
    assertThat(stillSoaking.rollout().progress().getStep()).isEqualTo(1);

    RolloutDecider.Decision done = decide(T0.plusSeconds(61));
    assertThat(done.rollout().progress().getStep()).isEqualTo(2);
    assertThat(reasons(done)).contains("StepCompleted");
    RolloutDecider.Decision next = decide(T0.plusSeconds(62));
    assertThat(next.plan().deletes()).hasSize(3);
  }

  @Test
  void aCrashingCanaryFailsDuringItsSoakAndNoSecondNodeIsTouched() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), "100%", null);
    steps(step(1, new StepPause("10m")), step("10%", null), step("100%", null));
    fleetOnGood(20);
    decide(T0);
    Pod canary = replaceWithNext("n0", true);
    decide(T0.plusSeconds(5));
    pods.remove(canary);
    crashLoop(replaceWithNext("n0", false), 1);

    RolloutDecider.Decision d = decide(T0.plusSeconds(30));

    assertThat(d.rollout().phase()).isEqualTo(RolloutPhase.Failed);
    assertThat(d.plan().deletes()).isEmpty();
    assertThat(d.rollbackForGates()).isTrue();
  }

  @Test
  void aRollbackIgnoresStepsAndPartitionAndGoesBackOnEveryNodeWithinTheBudget() {
    nodeDaemon = withRollingUpdate(PodPlannerTest.logAgent(), 2, null);
    steps(step(1, new StepPause()), step("100%", null));
    nodeDaemon.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(intOrPercent(3));
    // The fleet runs NEXT on 4 nodes; the template is GOOD again, restored by a rollback.
    for (int i = 0; i < 4; i++) {
      node("n" + i);
      pod("n" + i, NEXT, "Running", true, T0.minusSeconds(600));
    }
    NodeDaemonStatus status = new NodeDaemonStatus();
    status.setCurrentRevision(GOOD);
    nodeDaemon.setStatus(status);
    nodeDaemon
        .getMetadata()
        .setAnnotations(
            Map.of(
                dev.nodedaemon.revision.Rollbacks.LAST_ROLLBACK_ANNOTATION,
                "{\"fromRevision\":2,\"toRevision\":1,\"revisionHash\":\""
                    + GOOD
                    + "\",\"reason\":\"HealthGateFailed\",\"time\":\"2026-11-30T09:59:00Z\"}"));

    RolloutDecider.Decision d = decideFor(GOOD, T0);

    assertThat(d.rollingBack()).isTrue();
    assertThat(d.plan().deletes()).as("maxUnavailable 2, no partition").hasSize(2);
    assertThat(d.rollout().phase()).isEqualTo(RolloutPhase.RollingBack);
  }

  // --- freeze ---

  @Test
  void aFrozenNodeDaemonMakesNoWriteAtAllNotEvenForANewNode() {
    fleetOnGood(3);
    node("n3");
    nodeDaemon.getSpec().setFrozen(true);

    RolloutDecider.Decision d = decide(T0);

    assertThat(d.plan().creates()).isEmpty();
    assertThat(d.plan().deletes()).isEmpty();
    assertThat(condition(d, ConditionType.Frozen).getStatus()).isEqualTo("True");
    assertThat(reasons(d)).contains("Frozen");

    nodeDaemon.getSpec().setFrozen(null);
    RolloutDecider.Decision thawed = decide(T0.plusSeconds(1));
    assertThat(thawed.plan().creates()).containsExactly("n3");
    assertThat(reasons(thawed)).contains("Unfrozen");
  }

  // --- fixtures ---

  private RolloutDecider.Decision decide(Instant now) {
    return decideFor(NEXT, now);
  }

  /** One reconcile for the template of {@code revision}; its status becomes the previous one. */
  private RolloutDecider.Decision decideFor(String revision, Instant now) {
    PodTemplateSpec good = Serialization.clone(nodeDaemon.getSpec().getTemplate());
    good.getSpec().getContainers().get(0).setImage("agent:good");
    RevisionIndex revisions =
        new RevisionIndex(
            GOOD.equals(revision) ? 3 : 2,
            Map.of(GOOD, 1L, NEXT, 2L),
            Map.of(GOOD, good, NEXT, nodeDaemon.getSpec().getTemplate()),
            badRevisions);
    if (nodeDaemon.getStatus() == null) {
      NodeDaemonStatus initial = new NodeDaemonStatus();
      initial.setCurrentRevision(GOOD);
      nodeDaemon.setStatus(initial);
    }
    PlanInput input =
        PlanInputs.of(nodeDaemon, revision, ClusterSnapshot.of(nodes, pods), now)
            .revisions(revisions)
            .templateRefusal(refusal)
            .build();
    RolloutDecider.Decision decision =
        RolloutDecider.decide(input, dev.nodedaemon.revision.Rollbacks.lastRollback(nodeDaemon));
    NodeDaemonStatus status =
        dev.nodedaemon.status.StatusBuilder.build(
            input,
            decision.plan(),
            decision.rollout(),
            dev.nodedaemon.revision.Rollbacks.lastRollback(nodeDaemon),
            List.of(),
            0);
    nodeDaemon.setStatus(status);
    nodeDaemon.getSpec().setPromote(null); // the operator removes a promote it carried out
    return decision;
  }

  private void fleetOnGood(int count) {
    for (int i = 0; i < count; i++) {
      node("n" + i);
      pod("n" + i, GOOD, "Running", true, T0.minusSeconds(3600));
    }
  }

  /** The node's old pod is gone and a pod of NEXT runs there, created a minute ago. */
  private Pod replaceWithNext(String node, boolean ready) {
    pods.removeIf(p -> node.equals(p.getSpec().getNodeName()));
    return pod(node, NEXT, "Running", ready, T0.minusSeconds(60));
  }

  private static void crashLoop(Pod pod, int restarts) {
    pod.getStatus()
        .setContainerStatuses(
            List.of(
                new ContainerStatusBuilder()
                    .withName("agent")
                    .withRestartCount(restarts)
                    .withNewState()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .withMessage("back-off 10s restarting failed container")
                    .endWaiting()
                    .endState()
                    .build()));
  }

  private void steps(RolloutStep... steps) {
    nodeDaemon.getSpec().getUpdateStrategy().getRollingUpdate().setSteps(List.of(steps));
  }

  private static RolloutStep step(Object nodes, StepPause pause) {
    return new RolloutStep(intOrPercent(nodes), pause);
  }

  private void node(String name) {
    nodes.add(
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withLastTransitionTime(T0.minusSeconds(86400).toString())
            .endCondition()
            .endStatus()
            .build());
  }

  private static Node notReady(String name, Instant since) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus("False")
        .withReason("KubeletNotReady")
        .withLastTransitionTime(since.toString())
        .endCondition()
        .endStatus()
        .build();
  }

  private Pod pod(String node, String revision, String phase, boolean ready, Instant created) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("agent-" + node + "-" + revision)
            .withNamespace("ns")
            .withUid("uid-" + node + "-" + revision)
            .withResourceVersion("1")
            .withCreationTimestamp(created.toString())
            .withLabels(Map.of("app", "agent", DaemonPodFactory.REVISION_LABEL, revision))
            .withAnnotations(Map.of(DaemonPodFactory.NODE_ANNOTATION, node))
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .endSpec()
            .withNewStatus()
            .withPhase(phase)
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .withLastTransitionTime(created.toString())
            .endCondition()
            .endStatus()
            .build();
    pods.add(pod);
    return pod;
  }

  private static String nodeOf(Pod pod) {
    return pod.getSpec().getNodeName();
  }

  private static List<String> reasons(RolloutDecider.Decision d) {
    List<String> reasons = new ArrayList<>();
    d.plan().events().forEach(e -> reasons.add(e.reason()));
    d.rollout().events().forEach(e -> reasons.add(e.reason()));
    return reasons;
  }

  private static Condition condition(RolloutDecider.Decision d, ConditionType type) {
    return d.rollout().conditions().stream()
        .filter(c -> type.name().equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }
}
