package dev.nodedaemon.plan;

import static dev.nodedaemon.testing.TestFleet.withRollingUpdate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodLabels;
import dev.nodedaemon.api.PrePull;
import dev.nodedaemon.apply.PrePullPods;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.testing.PlanInputs;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Image pre-pull in the planner: the window ahead of the front, its bound, the gate. */
class PrePullPlannerTest {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final String REV = "rev2";

  private final List<Node> nodes = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();
  private final List<Pod> prePulls = new ArrayList<>();

  @Test
  void theNextNodesPullFirstAndNoWorkingPodIsTouchedBeforeItsPull() {
    fleet("n1", "n2", "n3", "n4");

    PodPlan plan = plan(agent(2, 2, null));

    assertThat(plan.prePull().creates()).containsExactly("n1", "n2");
    assertThat(plan.deletes()).isEmpty();
  }

  @Test
  void aPulledNodeIsReplacedAndTheOneStillPullingHoldsTheNodesAfterIt() {
    fleet("n1", "n2", "n3", "n4");
    prePull("n1", REV, "ready");
    prePull("n2", REV, "pulling");

    PodPlan plan = plan(agent(4, 2, null));

    assertThat(deletedNodes(plan)).containsExactly("n1");
    assertThat(plan.prePull().creates()).isEmpty();
    assertThat(plan.gates().failed()).isFalse();
  }

  @Test
  void aReplacedNodesPrePullPodGoesAndTheWindowMovesOn() {
    fleet("n1", "n2", "n3");
    pods.removeIf(p -> p.getSpec().getNodeName().equals("n1"));
    pod("n1", REV, true);
    Pod done = prePull("n1", REV, "ready");
    prePull("n2", REV, "ready");

    PodPlan plan = plan(agent(1, 2, null));

    assertThat(plan.prePull().deletes()).containsExactly(done);
    assertThat(plan.prePull().creates()).containsExactly("n3");
    assertThat(deletedNodes(plan)).containsExactly("n2");
  }

  @Test
  void atMostMaxConcurrentPull() {
    fleet("n1", "n2", "n3", "n4");
    prePull("n1", REV, "pulling");

    PodPlan plan = plan(agent(1, 3, 2));

    assertThat(plan.prePull().creates()).containsExactly("n2");
  }

  @Test
  void aFailedPullIsAGateFailureWithThePullReasonAndNoPodIsTouched() {
    fleet("n1", "n2");
    prePull("n1", REV, "ErrImagePull");
    prePull("n2", REV, "ready");

    PodPlan plan = plan(agent(2, 2, null));

    assertThat(plan.gates().failed()).isTrue();
    assertThat(plan.gates().failures().get(0).getNode()).isEqualTo("n1");
    assertThat(plan.gates().failures().get(0).getReason()).isEqualTo("ErrImagePull");
    assertThat(plan.deletes()).isEmpty();
    assertThat(plan.prePull().creates()).isEmpty();
  }

  @Test
  void staleRevisionsAndPrePullTurnedOffLeaveNothingBehind() {
    fleet("n1", "n2");
    Pod stale = prePull("n1", "rev1", "ready");

    assertThat(plan(agent(1, 2, null)).prePull().deletes()).containsExactly(stale);

    prePulls.clear();
    Pod left = prePull("n1", REV, "ready");
    NodeDaemon off = agent(1, 2, null);
    off.getSpec().getUpdateStrategy().getRollingUpdate().setPrePull(null);
    assertThat(plan(off).prePull().deletes()).containsExactly(left);
  }

  @Test
  void thePrePullPodPullsEveryImageAsAVolumeOfAPauseContainer() {
    NodeDaemon nd = agent(1, 2, null);
    nd.getSpec()
        .getTemplate()
        .getSpec()
        .getInitContainers()
        .add(
            new io.fabric8.kubernetes.api.model.ContainerBuilder()
                .withName("init")
                .withImage("example.com/init:2")
                .build());

    Pod pod = PrePullPods.build(nd, "n1", REV, new PrePull());

    assertThat(pod.getSpec().getContainers())
        .singleElement()
        .satisfies(c -> assertThat(c.getImage()).isEqualTo(PrePull.DEFAULT_PAUSE_IMAGE));
    assertThat(pod.getSpec().getVolumes())
        .extracting(v -> v.getImage().getReference())
        .containsExactly("agent:1", "example.com/init:2");
    assertThat(pod.getSpec().getNodeName()).isEqualTo("n1");
    assertThat(pod.getMetadata().getLabels())
        .containsOnlyKeys(PodLabels.PREPULL_LABEL, PodLabels.PREPULL_REVISION_LABEL);
    assertThat(pod.getMetadata().getOwnerReferences().get(0).getController()).isTrue();
  }

  private static List<String> deletedNodes(PodPlan plan) {
    return plan.deletes().stream().map(d -> d.pod().getSpec().getNodeName()).toList();
  }

  private static NodeDaemon agent(int maxUnavailable, int nodesAhead, Integer maxConcurrent) {
    NodeDaemon nd = withRollingUpdate(PodPlannerTest.logAgent(), maxUnavailable, null);
    PrePull prePull = new PrePull();
    prePull.setNodesAhead(nodesAhead);
    prePull.setMaxConcurrent(maxConcurrent);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPrePull(prePull);
    return nd;
  }

  private void fleet(String... names) {
    for (String name : names) {
      nodes.add(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build());
      pod(name, "rev1", true);
    }
  }

  private void pod(String node, String revision, boolean ready) {
    pods.add(
        TestPods.running(
            "pod-" + node + "-" + revision, node, revision, ready, NOW.minusSeconds(60)));
  }

  /** state: ready, pulling, or a container waiting reason such as ErrImagePull. */
  private Pod prePull(String node, String revision, String state) {
    Pod pod = PrePullPods.build(agent(1, 1, null), node, revision, new PrePull());
    pod.getMetadata().setUid("prepull-" + node + "-" + revision);
    pod.getMetadata().setCreationTimestamp(NOW.minusSeconds(10).toString());
    pod.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .withPhase(state.equals("ready") ? "Running" : "Pending")
            .addNewCondition()
            .withType("Ready")
            .withStatus(state.equals("ready") ? "True" : "False")
            .endCondition()
            .withContainerStatuses(
                state.equals("ready") || state.equals("pulling")
                    ? List.of()
                    : List.of(
                        new ContainerStatusBuilder()
                            .withName(PrePullPods.CONTAINER)
                            .withNewState()
                            .withNewWaiting()
                            .withReason(state)
                            .withMessage("failed to pull example.com/agent:v2-nopull")
                            .endWaiting()
                            .endState()
                            .build()))
            .build());
    prePulls.add(pod);
    return pod;
  }

  private PodPlan plan(NodeDaemon nd) {
    return PodPlanner.plan(
        PlanInputs.of(nd, REV, ClusterSnapshot.of(nodes, pods), NOW).prePullPods(prePulls).build());
  }
}
