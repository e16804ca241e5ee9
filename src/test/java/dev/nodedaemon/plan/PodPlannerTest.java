package dev.nodedaemon.plan;

import static dev.nodedaemon.testing.TestFleet.withRollingUpdate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonSpec;
import dev.nodedaemon.api.PodSelector;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.api.UpdateStrategyType;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.plan.PlanInput.NodeBackoff;
import dev.nodedaemon.testing.PlanInputs;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One step of the planner per case, checked the way the built-in controller's tests check a sync:
 * the nodes created on, the pods deleted, the events.
 */
public class PodPlannerTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final String REV = "rev1";

  private final List<Node> nodes = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();
  private Map<String, NodeBackoff> backoff = Map.of();
  private java.util.Set<String> inFlight = java.util.Set.of();
  private RevisionIndex revisions = RevisionIndex.EMPTY;

  @Test
  void createsOnePodPerEligibleNode() {
    node("n1");
    node("n2");
    node("n3", Map.of("disktype", "ssd"));

    PodPlan plan = plan(logAgent());

    expect(plan, List.of("n1", "n2", "n3"), List.of(), List.of());
  }

  @Test
  void nodeSelectorLimitsPlacement() {
    node("n1");
    node("n2", Map.of("disktype", "ssd"));

    PodPlan plan = plan(withNodeSelector(logAgent(), Map.of("disktype", "ssd")));

    expect(plan, List.of("n2"), List.of(), List.of());
  }

  @Test
  void nodesWithAPodGetNoSecondOne() {
    node("n1");
    node("n2");
    pod("n1", "Running", true);

    expect(plan(logAgent()), List.of("n2"), List.of(), List.of());
  }

  @Test
  void aPodOnANodeThatNoLongerQualifiesIsDeleted() {
    node("n1", Map.of("disktype", "hdd"));
    Pod pod = pod("n1", "Running", true);

    PodPlan plan = plan(withNodeSelector(logAgent(), Map.of("disktype", "ssd")));

    expect(plan, List.of(), List.of(pod.getMetadata().getName()), List.of());
  }

  @Test
  void anUntoleratedNoScheduleTaintKeepsTheRunningPodButCreatesNone() {
    nodes.add(taintedNode("n1", "NoSchedule"));
    nodes.add(taintedNode("n2", "NoSchedule"));
    pod("n1", "Running", true);

    expect(plan(logAgent()), List.of(), List.of(), List.of());
  }

  @Test
  void anUntoleratedNoExecuteTaintRemovesThePod() {
    nodes.add(taintedNode("n1", "NoExecute"));
    Pod pod = pod("n1", "Running", true);

    expect(plan(logAgent()), List.of(), List.of(pod.getMetadata().getName()), List.of());
  }

  @Test
  void aFailedPodIsDeletedAndReplacedAndItsNodeBacksOff() {
    node("n1");
    Pod failed = pod("n1", "Failed", false);

    PodPlan plan = plan(logAgent());

    expect(
        plan, List.of("n1"), List.of(failed.getMetadata().getName()), List.of("FailedDaemonPod"));
    assertThat(plan.backoffBumps()).containsExactly("n1");
  }

  @Test
  void aFailedPodInBackoffStaysAndTheStepAsksToLookAgainWhenTheBackoffEnds() {
    node("n1");
    pod("n1", "Failed", false);
    backoff = Map.of("n1", new NodeBackoff(NOW.plusSeconds(4), Duration.ofSeconds(4)));

    PodPlan plan = plan(logAgent());

    expect(plan, List.of(), List.of(), List.of());
    assertThat(plan.requeueAfter()).contains(Duration.ofSeconds(4));
  }

  @Test
  void aSucceededPodIsReplacedToo() {
    node("n1");
    Pod done = pod("n1", "Succeeded", false);

    expect(
        plan(logAgent()),
        List.of("n1"),
        List.of(done.getMetadata().getName()),
        List.of("SucceededDaemonPod"));
  }

  @Test
  void ofTwoPodsOnOneNodeTheOldestStays() {
    node("n1");
    Pod older = pod("n1", "Running", true, "a", NOW.minusSeconds(60), REV);
    Pod newer = pod("n1", "Running", true, "b", NOW.minusSeconds(10), REV);

    PodPlan plan = plan(logAgent());

    expect(plan, List.of(), List.of(newer.getMetadata().getName()), List.of());
    assertThat(older).isNotNull();
  }

  @Test
  void ofTwoPodsCreatedInTheSameSecondTheReadyOneStaysWhateverTheirNames() {
    // A pod adopted from a DaemonSet and one the operator created beside it in the same second
    // (creation timestamps have second precision): the name must not decide which one goes.
    node("n1");
    Pod adopted = pod("n1", "Running", true, "z-adopted", NOW.minusSeconds(5), REV);
    Pod created = pod("n1", "Pending", false, "a-created", NOW.minusSeconds(5), REV);

    PodPlan plan = plan(logAgent());

    expect(plan, List.of(), List.of(created.getMetadata().getName()), List.of());
    assertThat(adopted).isNotNull();
  }

  @Test
  void aReadyPodStaysOverAnOlderOneThatIsNotReady() {
    node("n1");
    Pod older = pod("n1", "Running", false, "a", NOW.minusSeconds(60), REV);
    Pod ready = pod("n1", "Running", true, "b", NOW.minusSeconds(10), REV);

    PodPlan plan = plan(logAgent());

    expect(plan, List.of(), List.of(older.getMetadata().getName()), List.of());
    assertThat(ready).isNotNull();
  }

  @Test
  void aTerminatingPodIsNeitherCountedNorDeletedAgain() {
    node("n1");
    Pod terminating = pod("n1", "Running", true);
    terminating.getMetadata().setDeletionTimestamp(NOW.toString());

    expect(plan(logAgent()), List.of("n1"), List.of(), List.of());
  }

  @Test
  void aNodeWhoseNewPodsNameIsHeldByATerminatingPodWaitsForItsDeletion() {
    node("n1");
    // Pod names are per node and revision: a pod of the update revision stuck terminating (a
    // finalizer) holds the name its replacement would get, so a create could only be refused.
    Pod held = pod("n1", "Running", true);
    held.getMetadata().setName(DaemonPodFactory.podName("agent", "n1", REV));
    held.getMetadata().setDeletionTimestamp(NOW.toString());

    expect(plan(logAgent()), List.of(), List.of(), List.of());
  }

  @Test
  void aNodeWhoseCreateIsInFlightGetsNoSecondCreate() {
    node("n1");
    node("n2");
    inFlight = java.util.Set.of("n1");

    expect(plan(logAgent()), List.of("n2"), List.of(), List.of());
  }

  @Test
  void podsForNodesThatLeftAreDeleted() {
    node("n1");
    Pod stranded = pod("gone", "Running", true);

    expect(plan(logAgent()), List.of("n1"), List.of(stranded.getMetadata().getName()), List.of());
  }

  // --- rolling update, one step per case, as the built-in controller's update tests ---

  @Test
  void aNewTemplateReplacesOneAvailableOldPodPerStepWithTheDefaultBudget() {
    node("n1");
    node("n2");
    node("n3");
    Pod a = pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n3", "Running", true, "x", NOW.minusSeconds(60), "old");

    expect(plan(logAgent()), List.of(), List.of(a.getMetadata().getName()), List.of());
  }

  @Test
  void noOldPodGoesWhileTheBudgetIsUsedUpByANodeWithoutAPod() {
    node("n1");
    node("n2");
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");

    // n1 has no pod: it is the one unavailable node maxUnavailable=1 allows.
    expect(plan(logAgent()), List.of("n1"), List.of(), List.of());
  }

  @Test
  void anUpdatedPodThatIsNotReadyYetHoldsTheBudget() {
    node("n1");
    node("n2");
    pod("n1", "Running", false, "x", NOW.minusSeconds(5), REV);
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");

    expect(plan(logAgent()), List.of(), List.of(), List.of());
  }

  @Test
  void anUnavailableOldPodIsReplacedOutsideTheBudgetAsTheBuiltInDoes() {
    node("n1");
    node("n2");
    pod("n1", "Running", false, "x", NOW.minusSeconds(5), REV);
    Pod broken = pod("n2", "Running", false, "x", NOW.minusSeconds(60), "old");

    expect(plan(logAgent()), List.of(), List.of(broken.getMetadata().getName()), List.of());
  }

  @Test
  void maxUnavailableAsAPercentageOfEligibleNodesRoundsUp() {
    List<String> olds = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      node("n" + i);
      olds.add(
          pod("n" + i, "Running", true, "x", NOW.minusSeconds(60), "old").getMetadata().getName());
    }
    NodeDaemon nd = withRollingUpdate(logAgent(), "25%", null);

    // 25 % of 10 nodes, rounded up: 3.
    expect(plan(nd), List.of(), olds.subList(0, 3), List.of());
  }

  @Test
  void minReadySecondsKeepsAReadyPodUnavailableUntilItHasPassed() {
    node("n1");
    node("n2");
    pod("n1", "Running", true, "x", NOW.minusSeconds(5), REV);
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = logAgent();
    nd.getSpec().setMinReadySeconds(30);

    expect(plan(nd), List.of(), List.of(), List.of());
  }

  @Test
  void surgeCreatesTheNewPodBesideTheOldOneWithinMaxSurge() {
    node("n1");
    node("n2");
    node("n3");
    pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n3", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = withRollingUpdate(logAgent(), 0, 2);

    PodPlan plan = plan(nd);
    expect(plan, List.of("n1", "n2"), List.of(), List.of());
    assertThat(plan.surgeCreates()).containsExactlyInAnyOrder("n1", "n2");
  }

  @Test
  void aSurgeWithHostPortsHoldsTheUpdateButStillServesNodesWithoutAPod() {
    node("n1");
    node("n2");
    node("n3");
    pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = withRollingUpdate(logAgent(), 0, 2);
    TestFleet.withHostPort(nd, 9100);

    PodPlan plan = plan(nd);
    // No surge pod beside n1's and n2's old pods (it could never be scheduled); n3 gets its pod.
    expect(plan, List.of("n3"), List.of(), List.of());
    assertThat(plan.surgeCreates()).as("n3 has no pod: its create is no surge").isEmpty();
    assertThat(plan.rollout().heldBy()).contains("uses hostPort 9100");

    // The same template with maxUnavailable instead rolls as usual: n3 (no pod yet) takes one of
    // the two unavailable slots, one old pod goes in the other.
    PodPlan unavailable = plan(withRollingUpdate(nd, 2, 0));
    assertThat(unavailable.deletes()).hasSize(1);
    assertThat(unavailable.rollout().heldBy()).isNull();
  }

  @Test
  void aRollingDeleteWithoutSurgeNamesItsNodeForAReplacementInTheSameStep() {
    node("n1");
    node("n2");
    pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");

    PodPlan plan = plan(withRollingUpdate(logAgent(), 1, 0));

    assertThat(plan.deletes())
        .singleElement()
        .satisfies(d -> assertThat(d.replaceOn()).isEqualTo("n1"));
    assertThat(plan.creates()).as("the create waits for the delete, in the executor").isEmpty();
  }

  @Test
  void surgeDeletesTheOldPodOnlyOnceTheNewOneIsAvailable() {
    node("n1");
    node("n2");
    Pod oldOnReady = pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n1", "Running", true, "y", NOW.minusSeconds(10), REV);
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n2", "Running", false, "y", NOW.minusSeconds(2), REV);
    NodeDaemon nd = withRollingUpdate(logAgent(), 0, 1);

    // n1's new pod is available: its old pod goes. n2's is not: it uses the one surge slot.
    expect(plan(nd), List.of(), List.of(oldOnReady.getMetadata().getName()), List.of());
  }

  @Test
  void onDeleteNeverDeletesAnOldPodButANodeWithoutOneGetsTheNewRevision() {
    node("n1");
    node("n2");
    pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = logAgent();
    UpdateStrategy onDelete = new UpdateStrategy();
    onDelete.setType(UpdateStrategyType.OnDelete);
    nd.getSpec().setUpdateStrategy(onDelete);

    expect(plan(nd), List.of("n2"), List.of(), List.of());
  }

  @Test
  void aPausedNodeDaemonReplacesNoOldPodButServesANewNode() {
    node("n1");
    node("n2");
    pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = logAgent();
    nd.getSpec().setPaused(true);

    expect(plan(nd), List.of("n2"), List.of(), List.of());
  }

  @Test
  void partitionHoldsThatManyNodesOnTheOldRevision() {
    List<String> olds = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      node("n" + i);
      olds.add(
          pod("n" + i, "Running", true, "x", NOW.minusSeconds(60), "old").getMetadata().getName());
    }
    NodeDaemon nd = withRollingUpdate(logAgent(), 4, null);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(new IntOrString(3));

    // Budget 4, but partition 3 of 4 nodes: only one node may leave the old revision.
    expect(plan(nd), List.of(), olds.subList(0, 1), List.of());
  }

  @Test
  void partitionCountsNodesAlreadyUpdated() {
    node("n0");
    node("n1");
    node("n2");
    pod("n0", "Running", true, "x", NOW.minusSeconds(60), REV);
    pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = withRollingUpdate(logAgent(), 3, null);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(new IntOrString("50%"));

    // 50 % of 3 nodes rounded up is 2: n1 and n2 stay on the old revision.
    expect(plan(nd), List.of(), List.of(), List.of());
  }

  @Test
  void theUpdateNodeSelectorLimitsWhichNodesUpdate() {
    node("n0", Map.of("pool", "canary"));
    node("n1");
    Pod canary = pod("n0", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = withRollingUpdate(logAgent(), 2, null);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setNodeSelector(Map.of("pool", "canary"));

    expect(plan(nd), List.of(), List.of(canary.getMetadata().getName()), List.of());
  }

  // --- strict maxUnavailable ---

  @Test
  void strictModeCountsUnavailableOldPodsSoNoAvailableOneGoes() {
    node("n1");
    node("n2");
    node("n3");
    Pod broken = pod("n1", "Running", false, "x", NOW.minusSeconds(60), "old");
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n3", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = withRollingUpdate(logAgent(), 1, null);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setStrict(true);

    // The broken pod is replaced (nothing to lose) but it fills the budget of 1.
    expect(plan(nd), List.of(), List.of(broken.getMetadata().getName()), List.of());
  }

  @Test
  void withoutStrictModeTheSameFleetAlsoLosesAnAvailablePod() {
    node("n1");
    node("n2");
    node("n3");
    Pod broken = pod("n1", "Running", false, "x", NOW.minusSeconds(60), "old");
    Pod a = pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n3", "Running", true, "x", NOW.minusSeconds(60), "old");

    expect(
        plan(withRollingUpdate(logAgent(), 1, null)),
        List.of(),
        List.of(broken.getMetadata().getName(), a.getMetadata().getName()),
        List.of());
  }

  @Test
  void strictSurgeCountsANodeWithAnUnavailableOldPodAgainstMaxSurge() {
    node("n1");
    node("n2");
    pod("n1", "Running", false, "x", NOW.minusSeconds(60), "old");
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = withRollingUpdate(logAgent(), 0, 1);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setStrict(true);

    expect(plan(nd), List.of("n1"), List.of(), List.of());
  }

  // --- in-place updates ---

  @Test
  void anImageOnlyChangeIsPatchedInPlaceInsteadOfDeleted() {
    node("n1");
    node("n2");
    Pod a = pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    pod("n2", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = inPlace(withRollingUpdate(logAgent(), 1, null));
    oldRevisionIsTheTemplateWithImage(nd, "agent:0");

    PodPlan plan = plan(nd);

    expect(plan, List.of(), List.of(), List.of());
    assertThat(plan.inPlaceUpdates()).hasSize(1);
    assertThat(plan.inPlaceUpdates().get(0).pod()).isSameAs(a);
    assertThat(plan.inPlaceUpdates().get(0).images()).isEqualTo(Map.of("agent", "agent:1"));
    assertThat(plan.inPlaceUpdates().get(0).revision()).isEqualTo(REV);
  }

  @Test
  void aChangeBeyondImagesFallsBackToRecreate() {
    node("n1");
    Pod a = pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = inPlace(withRollingUpdate(logAgent(), 1, null));
    oldRevisionIsTheTemplateWithImage(nd, "agent:0");
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setArgs(List.of("--verbose"));

    PodPlan plan = plan(nd);

    expect(plan, List.of(), List.of(a.getMetadata().getName()), List.of());
    assertThat(plan.inPlaceUpdates()).isEmpty();
  }

  @Test
  void aPodWhoseRevisionIsNoLongerKeptIsRecreated() {
    node("n1");
    Pod a = pod("n1", "Running", true, "x", NOW.minusSeconds(60), "pruned");
    NodeDaemon nd = inPlace(withRollingUpdate(logAgent(), 1, null));

    expect(plan(nd), List.of(), List.of(a.getMetadata().getName()), List.of());
  }

  @Test
  void surgeNeverUpdatesInPlace() {
    node("n1");
    pod("n1", "Running", true, "x", NOW.minusSeconds(60), "old");
    NodeDaemon nd = inPlace(withRollingUpdate(logAgent(), 0, 1));
    oldRevisionIsTheTemplateWithImage(nd, "agent:0");

    PodPlan plan = plan(nd);

    expect(plan, List.of("n1"), List.of(), List.of());
    assertThat(plan.inPlaceUpdates()).isEmpty();
  }

  // --- what the step tells the rollout state machine ---

  @Test
  void rolloutFactsCountUpdatedNodesAndNameTheBlockingOnesWithTheirCause() {
    node("n1");
    node("n2");
    node("n3");
    node("n4");
    pod("n1", "Running", true, "x", NOW.minusSeconds(60), REV);
    Pod crashing = pod("n2", "Running", false, "x", NOW.minusSeconds(60), REV);
    crashing
        .getStatus()
        .setContainerStatuses(
            List.of(
                new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                    .withName("agent")
                    .withRestartCount(3)
                    .withNewState()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .withMessage("back-off 40s restarting failed container")
                    .endWaiting()
                    .endState()
                    .build()));
    pod("n3", "Running", true, "x", NOW.minusSeconds(60), "old");

    PodPlan.RolloutFacts facts = plan(logAgent()).rollout();

    assertThat(facts.desired()).isEqualTo(4);
    assertThat(facts.target()).isEqualTo(4);
    assertThat(facts.updated()).isEqualTo(2);
    assertThat(facts.updatedAvailable()).isEqualTo(1);
    assertThat(facts.blocking())
        .extracting(b -> b.getNode() + " " + b.getReason())
        .containsExactly("n2 CrashLoopBackOff", "n4 PodMissing");
  }

  @Test
  void partitionLowersTheRolloutTarget() {
    for (int i = 1; i <= 4; i++) {
      node("n" + i);
      pod("n" + i, "Running", true, "x", NOW.minusSeconds(60), "old");
    }
    NodeDaemon nd = withRollingUpdate(logAgent(), 1, null);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(new IntOrString(3));

    assertThat(plan(nd).rollout().target()).isEqualTo(1);
  }

  private static NodeDaemon inPlace(NodeDaemon nd) {
    nd.getSpec()
        .getUpdateStrategy()
        .getRollingUpdate()
        .setPodUpdatePolicy(dev.nodedaemon.api.PodUpdatePolicy.InPlaceIfPossible);
    return nd;
  }

  /** The "old" revision's template: the NodeDaemon's template with another image. */
  private void oldRevisionIsTheTemplateWithImage(NodeDaemon nd, String image) {
    io.fabric8.kubernetes.api.model.PodTemplateSpec old =
        io.fabric8.kubernetes.client.utils.Serialization.clone(nd.getSpec().getTemplate());
    old.getSpec().getContainers().get(0).setImage(image);
    revisions = new RevisionIndex(2, Map.of("old", 1L, REV, 2L), Map.of("old", old));
  }

  // --- fixtures ---

  private PodPlan plan(NodeDaemon nodeDaemon) {
    return PodPlanner.plan(
        PlanInputs.of(nodeDaemon, REV, ClusterSnapshot.of(nodes, pods), NOW)
            .revisions(revisions)
            .backoff(backoff)
            .creationsInFlight(inFlight)
            .build());
  }

  private static void expect(
      PodPlan plan, List<String> creates, List<String> deletes, List<String> eventReasons) {
    assertThat(plan.creates()).as("nodes created on").containsExactlyInAnyOrderElementsOf(creates);
    assertThat(plan.deletes().stream().map(d -> d.pod().getMetadata().getName()))
        .as("pods deleted")
        .containsExactlyInAnyOrderElementsOf(deletes);
    assertThat(plan.events().stream().map(PodPlan.PlannedEvent::reason))
        .as("events")
        .containsExactlyElementsOf(eventReasons);
  }

  /** A NodeDaemon in the shape of the seeds' log agent; the planner benchmark uses it too. */
  public static NodeDaemon logAgent() {
    NodeDaemon nd = new NodeDaemon();
    nd.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("agent")
            .withNamespace("ns")
            .withUid("uid-1")
            .withGeneration(1L)
            .build());
    NodeDaemonSpec spec = new NodeDaemonSpec();
    spec.setSelector(new PodSelector(Map.of("app", "agent")));
    spec.setTemplate(
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(Map.of("app", "agent"))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("agent")
            .withImage("agent:1")
            .endContainer()
            .endSpec()
            .build());
    nd.setSpec(spec);
    return nd;
  }

  private static NodeDaemon withNodeSelector(NodeDaemon nd, Map<String, String> selector) {
    nd.getSpec().getTemplate().getSpec().setNodeSelector(selector);
    return nd;
  }

  private void node(String name) {
    node(name, Map.of());
  }

  private void node(String name, Map<String, String> labels) {
    nodes.add(
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .build());
  }

  private static Node taintedNode(String name, String effect) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withTaints(
            new TaintBuilder().withKey("dedicated").withValue("db").withEffect(effect).build())
        .endSpec()
        .build();
  }

  private Pod pod(String node, String phase, boolean ready) {
    return pod(node, phase, ready, "x", NOW.minusSeconds(30), REV);
  }

  private Pod pod(
      String node, String phase, boolean ready, String suffix, Instant created, String revision) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("agent-" + node + "-" + suffix)
            .withNamespace("ns")
            .withUid("pod-" + node + "-" + suffix)
            .withCreationTimestamp(created.toString())
            .withLabels(Map.of("app", "agent", DaemonPodFactory.REVISION_LABEL, revision))
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
}
