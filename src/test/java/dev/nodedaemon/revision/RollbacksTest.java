package dev.nodedaemon.revision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RollbackRequest;
import dev.nodedaemon.plan.PodPlannerTest;
import dev.nodedaemon.plan.RevisionIndex;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which template a rollback restores, and what it records. */
class RollbacksTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private final List<ControllerRevision> history = new ArrayList<>();

  @Test
  void revisionZeroRestoresTheNewestOtherRevisionWithItsChangeCause() {
    store(withImage("agent:1"), "install");
    store(withImage("agent:2"), "bump to 2");
    store(withImage("agent:3"), "bump to 3");
    NodeDaemon current = withImage("agent:3");
    current.getSpec().setRollbackTo(new RollbackRequest());

    Rollbacks.Decision decision =
        Rollbacks.requested(current, history, hashOf(current), NOW).orElseThrow();

    assertThat(decision.template().orElseThrow().getSpec().getContainers().get(0).getImage())
        .isEqualTo("agent:2");
    assertThat(decision.changeCause()).contains("bump to 2");
    RollbackRecord record = decision.record();
    assertThat(record.getFromRevision()).isEqualTo(3L);
    assertThat(record.getToRevision()).isEqualTo(2L);
    assertThat(record.getReason()).isEqualTo(Rollbacks.REQUESTED);
    assertThat(record.getRevisionHash()).isEqualTo(hashOf(withImage("agent:2")));
    assertThat(decision.message())
        .isEqualTo("Rolled back to revision 2 from revision 3 as spec.rollbackTo requested");
  }

  @Test
  void aNamedRevisionIsRestored() {
    store(withImage("agent:1"), null);
    store(withImage("agent:2"), null);
    NodeDaemon current = withImage("agent:2");
    current.getSpec().setRollbackTo(new RollbackRequest(1L));

    Rollbacks.Decision decision =
        Rollbacks.requested(current, history, hashOf(current), NOW).orElseThrow();

    assertThat(decision.template().orElseThrow().getSpec().getContainers().get(0).getImage())
        .isEqualTo("agent:1");
    assertThat(decision.changeCause()).isEmpty();
  }

  @Test
  void aRevisionNotInTheHistoryIsRefusedAndRecorded() {
    store(withImage("agent:1"), null);
    NodeDaemon current = withImage("agent:1");
    current.getSpec().setRollbackTo(new RollbackRequest(7L));

    Rollbacks.Decision decision =
        Rollbacks.requested(current, history, hashOf(current), NOW).orElseThrow();

    assertThat(decision.template()).isEmpty();
    assertThat(decision.record().getReason()).isEqualTo(Rollbacks.REVISION_NOT_FOUND);
    assertThat(decision.message()).contains("revision 7").contains("not in the history");
  }

  @Test
  void noRequestNoRollback() {
    store(withImage("agent:1"), null);
    NodeDaemon current = withImage("agent:1");

    assertThat(Rollbacks.requested(current, history, hashOf(current), NOW)).isEmpty();
  }

  @Test
  void afterAFailedRolloutTheFleetGoesBackToTheRevisionItRanBefore() {
    store(withImage("agent:1"), null);
    store(withImage("agent:2"), null);
    String good = hashOf(withImage("agent:1"));
    String bad = hashOf(withImage("agent:2"));

    Rollbacks.Decision decision =
        Rollbacks.afterFailure(history, bad, good, false, NOW).orElseThrow();

    assertThat(decision.record().getReason()).isEqualTo(Rollbacks.PROGRESS_DEADLINE_EXCEEDED);
    assertThat(decision.record().getFromRevision()).isEqualTo(2L);
    assertThat(decision.record().getToRevision()).isEqualTo(1L);
    assertThat(decision.message()).contains("exceeded its progress deadline");
  }

  @Test
  void aFailedRollbackIsNotRolledBackAgain() {
    store(withImage("agent:1"), null);
    store(withImage("agent:2"), null);
    String good = hashOf(withImage("agent:1"));
    String bad = hashOf(withImage("agent:2"));

    assertThat(Rollbacks.afterFailure(history, bad, good, true, NOW)).isEmpty();
    assertThat(Rollbacks.afterFailure(history, bad, bad, false, NOW)).isEmpty();
    assertThat(Rollbacks.afterFailure(history, bad, null, false, NOW)).isEmpty();
  }

  @Test
  void theRecordRoundTripsThroughTheAnnotation() {
    NodeDaemon nd = withImage("agent:1");
    RollbackRecord record = new RollbackRecord(3L, 1L, "abc", Rollbacks.REQUESTED, NOW.toString());
    nd.getMetadata()
        .setAnnotations(Map.of(Rollbacks.LAST_ROLLBACK_ANNOTATION, Serialization.asJson(record)));

    assertThat(Rollbacks.lastRollback(nd)).contains(record);

    nd.getMetadata().setAnnotations(Map.of(Rollbacks.LAST_ROLLBACK_ANNOTATION, "{not json"));
    assertThat(Rollbacks.lastRollback(nd)).isEmpty();
  }

  @Test
  void theIndexMapsHashesToNumbersAndTemplates() {
    store(withImage("agent:1"), null);
    store(withImage("agent:2"), null);

    RevisionIndex index = Rollbacks.index(history, 2);

    String first = hashOf(withImage("agent:1"));
    assertThat(index.numberOf(first)).contains(1L);
    assertThat(index.templateOf(first).orElseThrow().getSpec().getContainers().get(0).getImage())
        .isEqualTo("agent:1");
    assertThat(index.updateNumber()).isEqualTo(2L);
  }

  private void store(NodeDaemon nd, String changeCause) {
    if (changeCause != null) {
      nd.getMetadata().setAnnotations(Map.of(RevisionPlanner.CHANGE_CAUSE, changeCause));
    }
    ControllerRevision created =
        RevisionPlanner.decide(nd, history, Set.of()).create().orElseThrow();
    // As read back from the API server: data is a plain JSON map.
    history.add(Serialization.unmarshal(Serialization.asJson(created), ControllerRevision.class));
  }

  private static String hashOf(NodeDaemon nd) {
    return TemplateHash.of(nd.getSpec().getTemplate(), 0);
  }

  private static NodeDaemon withImage(String image) {
    NodeDaemon nd = PodPlannerTest.logAgent();
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
    return nd;
  }
}
