package dev.nodedaemon.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonSpec;
import dev.nodedaemon.api.PodSelector;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.plan.PlanInput.NodeBackoff;
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
class PodPlannerTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final String REV = "rev1";

  private final List<Node> nodes = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();
  private Map<String, NodeBackoff> backoff = Map.of();
  private java.util.Set<String> inFlight = java.util.Set.of();

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
    Pod older = pod("n1", "Running", true, "a", NOW.minusSeconds(60), "old");
    Pod newer = pod("n1", "Running", true, "b", NOW.minusSeconds(10), "old");

    PodPlan plan = plan(logAgent());

    expect(plan, List.of(), List.of(newer.getMetadata().getName()), List.of());
    assertThat(older).isNotNull();
  }

  @Test
  void aTerminatingPodIsNeitherCountedNorDeletedAgain() {
    node("n1");
    Pod terminating = pod("n1", "Running", true);
    terminating.getMetadata().setDeletionTimestamp(NOW.toString());

    expect(plan(logAgent()), List.of("n1"), List.of(), List.of());
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

  // --- fixtures ---

  private PodPlan plan(NodeDaemon nodeDaemon) {
    return PodPlanner.plan(
        new PlanInput(
            nodeDaemon, REV, ClusterSnapshot.of(nodes, pods), backoff, Map.of(), inFlight, NOW));
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

  static NodeDaemon logAgent() {
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
