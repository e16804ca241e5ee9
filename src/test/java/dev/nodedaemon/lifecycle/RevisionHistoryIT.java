package dev.nodedaemon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.revision.RevisionPlanner;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The revision history on ControllerRevisions owned by the NodeDaemon. */
class RevisionHistoryIT {

  private static final String V1 = "quay.io/fluentd_elasticsearch/fluentd:v2.5.2";
  private static final String V2 = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void eachTemplateIsANumberedRevisionWithItsChangeCauseAndReapplyingRenumbers() {
    TestFleet fleet = new TestFleet("history");
    List<String> nodes = fleet.addNodes("n", 2);
    NodeDaemon nd = fleet.logAgent("agent");
    nd.getMetadata().setAnnotations(Map.of(RevisionPlanner.CHANGE_CAUSE, "first install"));
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    List<ControllerRevision> first = awaitRevisions(fleet, r -> r.size() == 1);
    assertThat(first.get(0).getRevision()).isEqualTo(1L);
    assertThat(first.get(0).getMetadata().getAnnotations())
        .containsEntry(RevisionPlanner.CHANGE_CAUSE, "first install");

    update(fleet, V2, "fluentd v2.6.0");
    List<Pod> pods = fleet.awaitAllOnImage("agent", nodes, V2);
    List<ControllerRevision> two = awaitRevisions(fleet, r -> r.size() == 2);
    ControllerRevision second = two.get(1);
    assertThat(second.getRevision()).isEqualTo(2L);
    assertThat(second.getMetadata().getAnnotations())
        .containsEntry(RevisionPlanner.CHANGE_CAUSE, "fluentd v2.6.0");
    assertThat(pods)
        .allMatch(
            p ->
                RevisionPlanner.hashOf(second)
                    .equals(p.getMetadata().getLabels().get(DaemonPodFactory.REVISION_LABEL)));
    assertThat(fleet.get("agent").getStatus().getUpdateRevision())
        .isEqualTo(RevisionPlanner.hashOf(second));

    update(fleet, V1, "back to v2.5.2");
    fleet.awaitAllOnImage("agent", nodes, V1);
    List<ControllerRevision> renumbered =
        awaitRevisions(fleet, r -> r.size() == 2 && r.get(1).getRevision() == 3L);
    assertThat(renumbered.get(1).getMetadata().getName())
        .as("the first template's revision, reused")
        .isEqualTo(first.get(0).getMetadata().getName());
    assertThat(renumbered.get(1).getMetadata().getAnnotations())
        .containsEntry(RevisionPlanner.CHANGE_CAUSE, "back to v2.5.2");
  }

  @Test
  void theHistoryLimitPrunesRevisionsNoPodUses() {
    TestFleet fleet = new TestFleet("prune");
    List<String> nodes = fleet.addNodes("n", 2);
    NodeDaemon nd = fleet.logAgent("agent");
    nd.getSpec().setRevisionHistoryLimit(0);
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);

    update(fleet, V2, "v2");
    fleet.awaitAllOnImage("agent", nodes, V2);

    List<ControllerRevision> left = awaitRevisions(fleet, r -> r.size() == 1);
    assertThat(left.get(0).getRevision()).isEqualTo(2L);

    fleet
        .client()
        .resources(NodeDaemon.class)
        .inNamespace(fleet.namespace())
        .withName("agent")
        .delete();
    fleet
        .client()
        .resources(ControllerRevision.class)
        .inNamespace(fleet.namespace())
        .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, "agent")
        .informOnCondition(List::isEmpty)
        .orTimeout(60, TimeUnit.SECONDS)
        .join();
  }

  private static void update(TestFleet fleet, String image, String changeCause) {
    fleet.patch(
        "agent",
        "[{\"op\": \"add\", \"path\": \"/metadata/annotations\", \"value\": {\""
            + RevisionPlanner.CHANGE_CAUSE
            + "\": \""
            + changeCause
            + "\"}}]");
    fleet.setImage("agent", image);
  }

  /** Waits until the revisions, sorted by number, satisfy {@code condition}. */
  private static List<ControllerRevision> awaitRevisions(
      TestFleet fleet, Predicate<List<ControllerRevision>> condition) {
    Predicate<List<ControllerRevision>> sorted = list -> condition.test(sort(list));
    List<ControllerRevision> found =
        fleet
            .client()
            .resources(ControllerRevision.class)
            .inNamespace(fleet.namespace())
            .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, "agent")
            .informOnCondition(sorted)
            .orTimeout(60, TimeUnit.SECONDS)
            .join();
    return sort(found);
  }

  private static List<ControllerRevision> sort(List<ControllerRevision> revisions) {
    return revisions.stream()
        .sorted(Comparator.comparingLong(RevisionPlanner::revisionOf))
        .toList();
  }
}
