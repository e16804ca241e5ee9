package dev.nodedaemon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.plan.PodPlannerTest;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The revision history as the built-in controller keeps it, one decision per case. */
class RevisionPlannerTest {

  private final List<ControllerRevision> existing = new ArrayList<>();

  @Test
  void theFirstTemplateIsRevisionOneWithItsChangeCause() {
    NodeDaemon nd = withImage("agent:1");
    nd.getMetadata().setAnnotations(Map.of(RevisionPlanner.CHANGE_CAUSE, "first install"));

    RevisionPlanner.Decision decision = RevisionPlanner.decide(nd, existing, Set.of());

    ControllerRevision created = decision.create().orElseThrow();
    assertThat(created.getRevision()).isEqualTo(1L);
    assertThat(created.getMetadata().getName()).isEqualTo("agent-" + decision.updateHash());
    assertThat(created.getMetadata().getAnnotations())
        .containsEntry(RevisionPlanner.CHANGE_CAUSE, "first install");
    assertThat(created.getMetadata().getOwnerReferences().get(0).getController()).isTrue();
    assertThat(decision.updateHash()).isEqualTo(TemplateHash.of(nd.getSpec().getTemplate(), 0));
  }

  @Test
  void anUnchangedTemplateWritesNothing() {
    existing.add(stored(withImage("agent:1")));

    RevisionPlanner.Decision decision =
        RevisionPlanner.decide(withImage("agent:1"), existing, Set.of());

    assertThat(decision.create()).isEmpty();
    assertThat(decision.renumber()).isEmpty();
    assertThat(decision.prune()).isEmpty();
    assertThat(decision.updateRevisionNumber()).isEqualTo(1L);
  }

  @Test
  void aNewTemplateIsMaxPlusOne() {
    existing.add(stored(withImage("agent:1")));
    existing.add(stored(withImage("agent:2")));

    RevisionPlanner.Decision decision =
        RevisionPlanner.decide(withImage("agent:3"), existing, Set.of());

    assertThat(decision.create().orElseThrow().getRevision()).isEqualTo(3L);
  }

  @Test
  void reapplyingAnOldTemplateRenumbersItsRevision() {
    ControllerRevision first = stored(withImage("agent:1"));
    existing.add(first);
    existing.add(stored(withImage("agent:2")));

    RevisionPlanner.Decision decision =
        RevisionPlanner.decide(withImage("agent:1"), existing, Set.of());

    assertThat(decision.create()).isEmpty();
    assertThat(decision.renumber().orElseThrow().getMetadata().getName())
        .isEqualTo(first.getMetadata().getName());
    assertThat(decision.renumber().orElseThrow().getRevision()).isEqualTo(3L);
  }

  @Test
  void aNameTakenByOtherDataIsACollisionThatBumpsTheCount() {
    NodeDaemon nd = withImage("agent:1");
    ControllerRevision impostor = stored(withImage("agent:other"));
    impostor.getMetadata().setName("agent-" + TemplateHash.of(nd.getSpec().getTemplate(), 0));
    existing.add(impostor);

    RevisionPlanner.Decision decision = RevisionPlanner.decide(nd, existing, Set.of());

    assertThat(decision.collisionCount()).isEqualTo(1);
    assertThat(decision.updateHash()).isEqualTo(TemplateHash.of(nd.getSpec().getTemplate(), 1));
    assertThat(decision.create()).isPresent();
  }

  @Test
  void theHistoryLimitPrunesOldestFirstButNeverARevisionInUse() {
    ControllerRevision r1 = stored(withImage("agent:1"));
    ControllerRevision r2 = stored(withImage("agent:2"));
    ControllerRevision r3 = stored(withImage("agent:3"));
    existing.addAll(List.of(r1, r2, r3));
    NodeDaemon nd = withImage("agent:4");
    nd.getSpec().setRevisionHistoryLimit(1);

    RevisionPlanner.Decision decision =
        RevisionPlanner.decide(nd, existing, Set.of(RevisionPlanner.hashOf(r1)));

    // Three old revisions, limit one: two go, r1 stays because a pod still runs it.
    assertThat(decision.prune()).containsExactly(r2, r3);
  }

  @Test
  void theRevisionAFailureWouldRollBackToIsNeverPruned() {
    ControllerRevision r1 = stored(withImage("agent:1"));
    ControllerRevision r2 = stored(withImage("agent:2"));
    existing.addAll(List.of(r1, r2));
    // The fleet ran agent:1 (status.currentRevision) when agent:3 began rolling out, and every
    // node already runs agent:3 (maxUnavailable 100%): no pod carries r1's hash any more.
    NodeDaemon nd = withImage("agent:3");
    nd.getSpec().setRevisionHistoryLimit(0);
    nd.setStatus(new NodeDaemonStatus());
    nd.getStatus().setCurrentRevision(RevisionPlanner.hashOf(r1));

    RevisionPlanner.Decision decision = RevisionPlanner.decide(nd, existing, Set.of());

    assertThat(decision.prune()).as("r1 is the rollback target").containsExactly(r2);
  }

  @Test
  void theCollisionCountInStatusIsTheStartingPoint() {
    NodeDaemon nd = withImage("agent:1");
    NodeDaemonStatus status = new NodeDaemonStatus();
    status.setCollisionCount(2);
    nd.setStatus(status);

    RevisionPlanner.Decision decision = RevisionPlanner.decide(nd, existing, Set.of());

    assertThat(decision.collisionCount()).isEqualTo(2);
    assertThat(decision.updateHash()).isEqualTo(TemplateHash.of(nd.getSpec().getTemplate(), 2));
  }

  /**
   * A template with long fields and quantities, as the seeds' fluentd sample has: read back from
   * the API server it is the same revision, not a hash collision (which once made a revision
   * storm).
   */
  @Test
  void aStoredTemplateWithLongsAndQuantitiesIsRecognisedAsTheSame() {
    NodeDaemon nd = withImage("agent:1");
    nd.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(30L);
    nd.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setResources(
            new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("200Mi"))
                .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
                .build());
    existing.add(stored(nd));

    RevisionPlanner.Decision decision = RevisionPlanner.decide(nd, existing, Set.of());

    assertThat(decision.collisionCount()).isZero();
    assertThat(decision.create()).isEmpty();
    assertThat(decision.updateRevisionNumber()).isEqualTo(1L);
  }

  private ControllerRevision stored(NodeDaemon nd) {
    RevisionPlanner.Decision decision = RevisionPlanner.decide(nd, existing, Set.of());
    // As read back from the API server: data is a plain JSON map.
    ControllerRevision revision = decision.create().orElseThrow();
    return Serialization.unmarshal(Serialization.asJson(revision), ControllerRevision.class);
  }

  private static NodeDaemon withImage(String image) {
    NodeDaemon nd = PodPlannerTest.logAgent();
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
    return nd;
  }
}
