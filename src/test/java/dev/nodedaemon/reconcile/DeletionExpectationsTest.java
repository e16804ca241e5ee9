package dev.nodedaemon.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.apply.PodWriter;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.plan.PodPlan.InPlacePatch;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's own deletes, shown to the planner before its informer shows them. */
class DeletionExpectationsTest {

  private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

  private final DeletionExpectations expectations =
      new DeletionExpectations(Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aPodThisProcessDeletedIsTerminatingUntilTheInformerSaysSo() {
    Pod deleted = pod("a");
    Pod other = pod("b");
    PodWriter writer = expectations.recording(answering(PodWriter.Result.DONE));

    writer.delete(deleted);

    List<Pod> seen = expectations.asObserved(List.of(deleted, other), NOW.plusSeconds(5));
    assertThat(seen)
        .filteredOn(DaemonPods::isTerminating)
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("a");
    assertThat(deleted.getMetadata().getDeletionTimestamp()).as("the cached pod").isNull();

    // The informer catches up: the expectation ends, and a later pod of the same UID is itself.
    Pod shownTerminating = pod("a");
    shownTerminating.getMetadata().setDeletionTimestamp(NOW.plusSeconds(1).toString());
    expectations.asObserved(List.of(shownTerminating), NOW.plusSeconds(6));
    assertThat(expectations.asObserved(List.of(deleted), NOW.plusSeconds(7)))
        .noneMatch(DaemonPods::isTerminating);
  }

  @Test
  void aDeleteThatDidNotHappenIsNotRemembered() {
    Pod pod = pod("a");
    expectations
        .recording(answering(new PodWriter.Result(PodWriter.Outcome.CONFLICT, "changed")))
        .delete(pod);

    assertThat(expectations.asObserved(List.of(pod), NOW)).noneMatch(DaemonPods::isTerminating);
  }

  @Test
  void anExpectationWhoseEventWasLostEndsAfterItsTtl() {
    Pod pod = pod("a");
    expectations.recording(answering(PodWriter.Result.DONE)).delete(pod);

    assertThat(
            expectations.asObserved(
                List.of(pod), NOW.plus(DeletionExpectations.TTL).plusSeconds(1)))
        .noneMatch(DaemonPods::isTerminating);
  }

  private static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ns")
        .withUid("uid-" + name)
        .endMetadata()
        .build();
  }

  private static PodWriter answering(PodWriter.Result result) {
    return new PodWriter() {
      @Override
      public Result create(Pod pod) {
        return result;
      }

      @Override
      public Result delete(Pod pod) {
        return result;
      }

      @Override
      public Result deleteOrphan(Pod pod) {
        return result;
      }

      @Override
      public Result updateInPlace(InPlacePatch patch) {
        return result;
      }

      @Override
      public Result dryRunCreate(Pod pod) {
        return result;
      }

      @Override
      public Result adopt(Pod pod, OwnerReference owner, String nodeDaemonName, String revision) {
        return result;
      }
    };
  }
}
