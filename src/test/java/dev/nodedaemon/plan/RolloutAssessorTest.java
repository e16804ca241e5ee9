package dev.nodedaemon.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.BlockingNode;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.api.UpdateStrategyType;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.plan.PodPlan.RolloutFacts;
import dev.nodedaemon.plan.RolloutAssessor.Assessment;
import dev.nodedaemon.testing.PlanInputs;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rollout state machine step by step: each case feeds the status of the previous step back in,
 * as the reconciler does, and checks phase, conditions and events.
 */
class RolloutAssessorTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final BlockingNode CRASHING =
      new BlockingNode("n2", "CrashLoopBackOff", "container agent: back-off (3 restarts)");

  private final NodeDaemon nodeDaemon = PodPlannerTest.logAgent();
  private String revision = "rev2";
  private Optional<RollbackRecord> lastRollback = Optional.empty();

  @Test
  void aNewRevisionStartsARolloutThatCompletesWhenEveryTargetNodeIsAvailable() {
    Assessment started = step(T0, facts(3, 0, 0));
    assertThat(started.phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(reasons(started)).containsExactly("RolloutStarted");
    assertThat(condition(started, "Progressing").getReason()).isEqualTo("RollingOut");
    assertThat(started.requeueAfter()).contains(Duration.ofSeconds(601));

    Assessment halfway = step(T0.plusSeconds(10), facts(3, 2, 1));
    assertThat(halfway.phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(halfway.events()).isEmpty();
    assertThat(halfway.progress().getLastProgressTime()).isEqualTo(T0.plusSeconds(10).toString());

    Assessment done = step(T0.plusSeconds(20), facts(3, 3, 3));
    assertThat(done.phase()).isEqualTo(RolloutPhase.Complete);
    assertThat(reasons(done)).containsExactly("RolloutComplete");
    assertThat(done.events().get(0).message()).contains("after 20s");
    assertThat(condition(done, "Complete").getStatus()).isEqualTo("True");
    assertThat(condition(done, "Progressing").getStatus()).isEqualTo("False");
    assertThat(done.blockingNodes()).isNull();
    assertThat(done.requeueAfter()).isEmpty();
  }

  @Test
  void noProgressWithinTheDeadlineFailsNamingTheBlockingNodesAndProgressRecovers() {
    nodeDaemon.getSpec().setProgressDeadlineSeconds(60);
    step(T0, facts(3, 1, 1, CRASHING));

    Assessment waiting = step(T0.plusSeconds(59), facts(3, 1, 1, CRASHING));
    assertThat(waiting.phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(waiting.requeueAfter()).contains(Duration.ofSeconds(2));

    Assessment failed = step(T0.plusSeconds(60), facts(3, 1, 1, CRASHING));
    assertThat(failed.phase()).isEqualTo(RolloutPhase.Failed);
    assertThat(failed.failedNow()).isTrue();
    assertThat(reasons(failed)).containsExactly("ProgressDeadlineExceeded");
    assertThat(failed.events().get(0).warning()).isTrue();
    assertThat(failed.events().get(0).message()).contains("n2: CrashLoopBackOff");
    assertThat(failed.blockingNodes()).containsExactly(CRASHING);
    assertThat(condition(failed, "Failed").getStatus()).isEqualTo("True");
    assertThat(condition(failed, "Progressing").getReason()).isEqualTo("ProgressDeadlineExceeded");

    Assessment stillFailed = step(T0.plusSeconds(90), facts(3, 1, 1, CRASHING));
    assertThat(stillFailed.phase()).isEqualTo(RolloutPhase.Failed);
    assertThat(stillFailed.failedNow()).isFalse();
    assertThat(stillFailed.events()).isEmpty();

    Assessment recovered = step(T0.plusSeconds(95), facts(3, 2, 2));
    assertThat(recovered.phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(condition(recovered, "Failed").getStatus()).isEqualTo("False");
  }

  @Test
  void aNodeLeavingLowersTheMarkWithoutCountingAsProgress() {
    nodeDaemon.getSpec().setProgressDeadlineSeconds(60);
    step(T0, facts(4, 2, 2, CRASHING));
    Assessment smaller = step(T0.plusSeconds(30), facts(3, 1, 1, CRASHING));
    assertThat(smaller.progress().getLastProgressTime()).isEqualTo(T0.toString());
    assertThat(smaller.progress().getProgressMark()).isEqualTo(2);

    assertThat(step(T0.plusSeconds(60), facts(3, 1, 1, CRASHING)).phase())
        .isEqualTo(RolloutPhase.Failed);
  }

  @Test
  void pausingStopsTheDeadlineClockAndResumingRestartsIt() {
    nodeDaemon.getSpec().setProgressDeadlineSeconds(60);
    step(T0, facts(3, 1, 1));
    nodeDaemon.getSpec().setPaused(true);
    Assessment paused = step(T0.plusSeconds(5), facts(3, 1, 1));
    assertThat(paused.phase()).isEqualTo(RolloutPhase.Paused);
    assertThat(reasons(paused)).containsExactly("RolloutPaused");
    assertThat(condition(paused, "Paused").getStatus()).isEqualTo("True");
    assertThat(step(T0.plusSeconds(3600), facts(3, 1, 1)).phase()).isEqualTo(RolloutPhase.Paused);

    nodeDaemon.getSpec().setPaused(false);
    Assessment resumed = step(T0.plusSeconds(3700), facts(3, 1, 1));
    assertThat(resumed.phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(reasons(resumed)).containsExactly("RolloutResumed");
    assertThat(resumed.progress().getLastProgressTime()).isEqualTo(T0.plusSeconds(3700).toString());
  }

  @Test
  void onDeleteWaitsForPeopleWithoutADeadline() {
    UpdateStrategy onDelete = new UpdateStrategy();
    onDelete.setType(UpdateStrategyType.OnDelete);
    nodeDaemon.getSpec().setUpdateStrategy(onDelete);
    nodeDaemon.getSpec().setProgressDeadlineSeconds(1);
    step(T0, facts(3, 1, 1));

    Assessment later = step(T0.plusSeconds(3600), facts(3, 1, 1));
    assertThat(later.phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(later.requeueAfter()).isEmpty();
  }

  @Test
  void aRestoredRevisionRollsBackAndANewTemplateAfterItIsAPlainRollout() {
    lastRollback = Optional.of(new RollbackRecord(3L, 1L, "rev1", "Requested", T0.toString()));
    revision = "rev1";
    Assessment back = step(T0, facts(3, 0, 0));
    assertThat(back.phase()).isEqualTo(RolloutPhase.RollingBack);
    assertThat(reasons(back)).containsExactly("RollbackStarted");
    assertThat(back.progress().getRollback()).isTrue();
    assertThat(step(T0.plusSeconds(1), facts(3, 1, 0)).phase()).isEqualTo(RolloutPhase.RollingBack);

    revision = "rev4";
    Assessment forward = step(T0.plusSeconds(2), facts(3, 0, 0));
    assertThat(forward.phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(forward.progress().getRollback()).isNull();
  }

  @Test
  void aPartitionedRolloutIsCompleteWhenItsTargetIsReached() {
    Assessment done = step(T0, new RolloutFacts(5, 2, 2, 2, List.of()));
    assertThat(done.phase()).isEqualTo(RolloutPhase.Complete);
    assertThat(condition(done, "Complete").getReason()).isEqualTo("PartitionReached");
  }

  @Test
  void aNodeJoiningAfterCompletionIsScaleOutNotANewRollout() {
    nodeDaemon.getMetadata().setGeneration(4L);
    step(T0, facts(3, 0, 0));
    assertThat(reasons(step(T0.plusSeconds(5), facts(3, 3, 3)))).containsExactly("RolloutComplete");

    // A fourth node joins; its pod (already on the update revision) is not available yet.
    BlockingNode joining = new BlockingNode("n4", "NotReady", "pod not ready");
    Assessment joined = step(T0.plusSeconds(60), facts(4, 4, 3, joining));
    assertThat(joined.phase()).isEqualTo(RolloutPhase.Complete);
    assertThat(joined.events()).isEmpty();
    assertThat(joined.blockingNodes()).containsExactly(joining);
    assertThat(condition(joined, "Complete").getMessage())
        .isEqualTo("3 of 4 nodes run revision 2, available");
    assertThat(step(T0.plusSeconds(70), facts(4, 4, 4)).events()).isEmpty();

    // A spec change with the same template (a lower partition, say) is assessed afresh.
    nodeDaemon.getMetadata().setGeneration(5L);
    Assessment promoted = step(T0.plusSeconds(80), facts(5, 4, 4));
    assertThat(promoted.phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(reasons(step(T0.plusSeconds(90), facts(5, 5, 5))))
        .containsExactly("RolloutComplete");
  }

  @Test
  void aHeldUpdateIsPausedWithTheReasonAndWarnsOnceUntilTheSpecIsFixed() {
    String why = "maxSurge cannot be used with host ports (container agent uses hostPort 53)";
    Assessment held = step(T0, new RolloutFacts(3, 3, 0, 0, List.of(), why));
    assertThat(held.phase()).isEqualTo(RolloutPhase.Paused);
    assertThat(held.events())
        .extracting(PodPlan.PlannedEvent::reason, PodPlan.PlannedEvent::warning)
        .contains(org.assertj.core.groups.Tuple.tuple("InvalidSpec", true));
    assertThat(condition(held, "Paused").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(held, "Paused").getMessage()).isEqualTo(why);
    assertThat(condition(held, "Progressing").getReason()).isEqualTo("InvalidSpec");
    assertThat(held.requeueAfter()).isEmpty(); // no deadline while held

    // Still held a minute later: no second warning, and no deadline has passed.
    status().setConditions(held.conditions());
    Assessment later = step(T0.plusSeconds(3600), new RolloutFacts(3, 3, 0, 0, List.of(), why));
    assertThat(later.phase()).isEqualTo(RolloutPhase.Paused);
    assertThat(later.events()).isEmpty();

    // maxSurge set to 0: the rollout moves, with a fresh deadline.
    Assessment fixed = step(T0.plusSeconds(3601), facts(3, 1, 0));
    assertThat(fixed.phase()).isEqualTo(RolloutPhase.Progressing);
    assertThat(condition(fixed, "Paused").getStatus()).isEqualTo("False");
    assertThat(fixed.requeueAfter()).contains(Duration.ofSeconds(601));
  }

  @Test
  void aRolloutStartedEventIsNotRepeatedForTheSameRevision() {
    step(T0, facts(3, 0, 0));
    assertThat(step(T0.plusSeconds(1), facts(3, 0, 0)).events()).isEmpty();
  }

  /**
   * Random walks through the state machine's inputs (facts, pause, deadline, new revisions,
   * rollbacks, time): every phase change it makes must be in {@link PhaseTransitions}.
   */
  @Test
  void everyPhaseChangeIsAnAllowedTransition() {
    Random random = new Random(42);
    for (int walk = 0; walk < 300; walk++) {
      nodeDaemon.setStatus(null);
      nodeDaemon.getSpec().setPaused(false);
      nodeDaemon.getSpec().setProgressDeadlineSeconds(1 + random.nextInt(30));
      Instant now = T0;
      RolloutPhase previous = null;
      for (int i = 0; i < 40; i++) {
        now = now.plusSeconds(random.nextInt(20));
        if (random.nextInt(8) == 0) {
          revision = "rev" + random.nextInt(4);
        }
        lastRollback =
            random.nextInt(5) == 0
                ? Optional.of(new RollbackRecord(1L, 2L, revision, "Requested", now.toString()))
                : Optional.empty();
        if (random.nextInt(6) == 0) {
          nodeDaemon.getSpec().setPaused(!Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused()));
        }
        int target = 1 + random.nextInt(4);
        int updated = random.nextInt(target + 1);
        int available = random.nextInt(updated + 1);
        Assessment step = step(now, facts(target, updated, available));
        assertThat(PhaseTransitions.allowed(previous, step.phase()))
            .as("walk %d step %d: %s -> %s", walk, i, previous, step.phase())
            .isTrue();
        previous = step.phase();
      }
    }
  }

  @Test
  void theTransitionTableForbidsFailingWithoutARollout() {
    assertThat(PhaseTransitions.allowed(null, RolloutPhase.Failed)).isFalse();
    // A step waiting for a promote is Paused, and its health gates can still fail it.
    assertThat(PhaseTransitions.allowed(RolloutPhase.Paused, RolloutPhase.Failed)).isTrue();
    assertThat(PhaseTransitions.allowed(RolloutPhase.Complete, RolloutPhase.Failed)).isFalse();
    assertThat(PhaseTransitions.allowed(RolloutPhase.Progressing, RolloutPhase.Failed)).isTrue();
    assertThat(PhaseTransitions.allowed(RolloutPhase.RollingBack, RolloutPhase.Failed)).isTrue();
    assertThat(PhaseTransitions.allowed(RolloutPhase.Failed, RolloutPhase.Complete)).isTrue();
    assertThat(PhaseTransitions.allowed(null, RolloutPhase.Progressing)).isTrue();
  }

  // --- fixtures ---

  /** One reconcile: assess, then keep the result as the status the next step sees. */
  private Assessment step(Instant now, RolloutFacts facts) {
    PlanInput input =
        PlanInputs.of(nodeDaemon, revision, ClusterSnapshot.of(List.of(), List.of()), now)
            .revisions(new RevisionIndex(2, Map.of(), Map.of()))
            .build();
    Assessment assessment = RolloutAssessor.assess(input, facts, lastRollback);
    NodeDaemonStatus status = new NodeDaemonStatus();
    status.setPhase(assessment.phase());
    status.setRollout(assessment.progress());
    status.setObservedGeneration(nodeDaemon.getMetadata().getGeneration());
    nodeDaemon.setStatus(status);
    return assessment;
  }

  private NodeDaemonStatus status() {
    return nodeDaemon.getStatus();
  }

  private static RolloutFacts facts(
      int target, int updated, int updatedAvailable, BlockingNode... blocking) {
    return new RolloutFacts(target, target, updated, updatedAvailable, List.of(blocking));
  }

  private static List<String> reasons(Assessment assessment) {
    return assessment.events().stream().map(PodPlan.PlannedEvent::reason).toList();
  }

  private static Condition condition(Assessment assessment, String type) {
    return assessment.conditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }
}
