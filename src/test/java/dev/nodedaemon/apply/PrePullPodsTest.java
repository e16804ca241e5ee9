package dev.nodedaemon.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PrePull;
import dev.nodedaemon.plan.PodPlannerTest;
import dev.nodedaemon.plan.PrePullPlanner;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pre-pull pods' writes, through the pod writer. */
class PrePullPodsTest {

  private final PlanExecutorTest.RecordingWriter writer = new PlanExecutorTest.RecordingWriter();
  private final PlanExecutorTest.RecordingEvents events = new PlanExecutorTest.RecordingEvents();
  private final PrePullPods prePullPods = new PrePullPods(writer, events);

  @Test
  void aNodeDaemonWithoutAnUpdateStrategyWritesNothingAndDoesNotFail() {
    NodeDaemon plain = PodPlannerTest.logAgent(); // no updateStrategy at all

    assertThat(prePullPods.apply(plain, "rev1", PrePullPlanner.NONE)).isEmpty();
    assertThat(writer.creates).isEmpty();
    assertThat(writer.deletes).isEmpty();
  }

  @Test
  void leftoverPrePullPodsOfANodeDaemonWithoutAStrategyAreDeleted() {
    NodeDaemon plain = PodPlannerTest.logAgent();
    Pod left = PrePullPods.build(plain, "n1", "rev0", new PrePull());

    prePullPods.apply(
        plain, "rev1", new PrePullPlanner(List.of(), List.of(left), Set.of(), Map.of()));

    assertThat(writer.deletes).containsExactly(left.getMetadata().getName());
  }

  @Test
  void createsNamePodsByNodeAndRevisionAndSayWhereTheyPull() {
    NodeDaemon nd = PodPlannerTest.logAgent();

    prePullPods.apply(nd, "rev1", new PrePullPlanner(List.of("n1"), List.of(), Set.of(), Map.of()));

    assertThat(writer.creates)
        .singleElement()
        .satisfies(n -> assertThat(n).startsWith("agent-prepull-"));
    assertThat(events.reasons).containsExactly("PrePullStarted");
  }
}
