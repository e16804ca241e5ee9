package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.GateFailure;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonSpec;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.api.RolloutStep;
import dev.nodedaemon.api.StepPause;
import dev.nodedaemon.api.StepState;
import dev.nodedaemon.api.UpdateStrategy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@code status} says about steps, health gates, holds and freeze, from status objects built
 * as the operator writes them (status.rollout, phase, conditions).
 */
class StepStatusTest {

  private static final Instant SOAK_START = Instant.parse("2026-11-30T10:00:00Z");

  @Test
  void aSoakingStepShowsHowLongItHasSoakedOfItsDuration() {
    NodeDaemon nd = staged(RolloutPhase.Progressing, 2, StepState.Soaking, 10, 2);
    RolloutState state = RolloutState.of(nd, SOAK_START.plusSeconds(200));
    assertThat(state.result()).isEqualTo(RolloutState.Result.WAITING);
    assertThat(state.message())
        .isEqualTo(
            "Waiting for node daemon \"agent\" rollout to finish: step 2/4: 10%, soaking 3m of"
                + " 10m");
    assertThat(RolloutState.of(nd, SOAK_START.plusSeconds(45)).message())
        .endsWith("step 2/4: 10%, soaking 45s of 10m");
    assertThat(RolloutState.of(nd, SOAK_START.plusSeconds(3600)).message())
        .as("never more than the soak, whatever the clocks say")
        .endsWith("soaking 10m of 10m");
    assertThat(RolloutState.of(nd, SOAK_START.minusSeconds(5)).message())
        .endsWith("soaking 0s of 10m");
  }

  @Test
  void aSoakWakesTheWatchWhenItsMinuteTurnsAndAtItsEnd() {
    StepView soaking =
        StepView.of(staged(RolloutPhase.Progressing, 2, StepState.Soaking, 10, 2)).orElseThrow();
    assertThat(soaking.nextChange(SOAK_START.plusSeconds(200)))
        .contains(SOAK_START.plusSeconds(240));
    assertThat(soaking.nextChange(SOAK_START.plusSeconds(30))).contains(SOAK_START.plusSeconds(60));
    StepView shortSoak =
        new StepView(
            2,
            4,
            "10%",
            2,
            StepState.Soaking,
            java.util.Optional.of(java.time.Duration.ofSeconds(90)),
            SOAK_START);
    assertThat(shortSoak.nextChange(SOAK_START.plusSeconds(70)))
        .as("the soak's end comes before the next minute")
        .contains(SOAK_START.plusSeconds(90));
    StepView waiting =
        StepView.of(staged(RolloutPhase.Paused, 1, StepState.WaitingForPromote, 10, 1))
            .orElseThrow();
    assertThat(waiting.nextChange(SOAK_START)).isEmpty();
  }

  @Test
  void aRolloutTheOperatorRolledBackOnItsOwnFailsEvenOnceComplete() {
    NodeDaemon nd = staged(RolloutPhase.Complete, 1, StepState.Rolling, 5, 1);
    nd.getStatus().getRollout().setStep(null);
    nd.getStatus().getRollout().setRollback(true);
    nd.getStatus()
        .setLastRollback(
            new dev.nodedaemon.api.RollbackRecord(3L, 2L, "h2", "HealthGateFailed", null));
    RolloutState state = RolloutState.of(nd, SOAK_START);
    assertThat(state.result()).isEqualTo(RolloutState.Result.FAILED);
    assertThat(state.message())
        .isEqualTo(
            "node daemon \"agent\" rollout failed: revision 3 failed its health gates and the"
                + " operator rolled back to revision 2 (see: kubectl nodedaemon history agent)");
    assertThat(TreeView.info(nd, SOAK_START))
        .endsWith("; rolled back from revision 3 (HealthGateFailed)");
    // A rollback someone asked for (undo) that completes is a success.
    nd.getStatus()
        .setLastRollback(new dev.nodedaemon.api.RollbackRecord(3L, 2L, "h2", "Requested", null));
    assertThat(RolloutState.of(nd, SOAK_START).result()).isEqualTo(RolloutState.Result.COMPLETE);
  }

  @Test
  void aStepWaitingForPromoteIsPausedAndSaysHowToGoOn() {
    NodeDaemon nd = staged(RolloutPhase.Paused, 1, StepState.WaitingForPromote, 10, 1);
    nd.getStatus()
        .setConditions(
            List.of(condition("Paused", "True", "StepWaitingForPromote", "step 1/4 (1 node)")));
    RolloutState state = RolloutState.of(nd, SOAK_START);
    assertThat(state.result()).isEqualTo(RolloutState.Result.PAUSED);
    assertThat(state.message())
        .isEqualTo(
            "node daemon \"agent\" rollout step 1/4: 1 node, waiting for promote (continue it"
                + " with: kubectl nodedaemon promote agent)");
  }

  @Test
  void aRollingStepCountsAgainstTheStepsNodes() {
    NodeDaemon nd = staged(RolloutPhase.Progressing, 3, StepState.Rolling, 10, 5);
    nd.getStatus().setUpdatedNumberScheduled(3);
    nd.getStatus().setUpdatedNumberAvailable(2);
    assertThat(RolloutState.of(nd, SOAK_START).message())
        .isEqualTo(
            "Waiting for node daemon \"agent\" rollout to finish: step 3/4: 50%, 3 out of 5 new"
                + " pods have been updated...");
    nd.getStatus().setUpdatedNumberScheduled(5);
    assertThat(RolloutState.of(nd, SOAK_START).message())
        .endsWith("step 3/4: 50%, 2 of 5 updated pods are available...");
  }

  @Test
  void aStepTheSpecNoLongerHasIsDescribedByTheOperatorsNodeCount() {
    NodeDaemon nd = staged(RolloutPhase.Progressing, 4, StepState.Soaking, 10, 10);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setSteps(List.of());
    assertThat(StepView.of(nd).orElseThrow().describe(SOAK_START.plusSeconds(60)))
        .isEqualTo("step 4/4: 10 nodes, soaking 1m");
  }

  @Test
  void failedGatesFailTheStatusAndNameEachNodeWithItsReasonAndTheThreshold() {
    NodeDaemon nd = staged(RolloutPhase.Failed, 1, StepState.Rolling, 10, 1);
    nd.getStatus()
        .setConditions(
            List.of(
                condition(
                    "Failed",
                    "True",
                    "HealthGateFailed",
                    "health gates failed on 1 nodes (threshold 1): node-0: CrashLoopBackOff")));
    RolloutProgress rollout = nd.getStatus().getRollout();
    rollout.setFailedNodes(3);
    rollout.setFailedNodesThreshold(1);
    rollout.setGateFailures(
        List.of(
            new GateFailure(
                "node-0", "agent-0-h2", "CrashLoopBackOff", "back-off 10s", "2026-11-30T10:00Z"),
            new GateFailure("node-1", "agent-1-h2", "NodeNotReady", null, "2026-11-30T10:00Z")));
    RolloutState state = RolloutState.of(nd, SOAK_START);
    assertThat(state.result()).isEqualTo(RolloutState.Result.FAILED);
    assertThat(state.message())
        .isEqualTo(
            "node daemon \"agent\" rollout failed: health gates failed on 1 nodes (threshold 1):"
                + " node-0: CrashLoopBackOff");
    assertThat(RolloutState.gateLines(nd.getStatus()))
        .containsExactly(
            "Health gates failed on 3 nodes (threshold 1):",
            "  node-0: CrashLoopBackOff (pod agent-0-h2: back-off 10s)",
            "  node-1: NodeNotReady (pod agent-1-h2)",
            "  and 1 more");
    rollout.setFailedNodes(null);
    assertThat(RolloutState.gateLines(nd.getStatus())).isEmpty();
  }

  @Test
  void everyHoldThatNeedsAPersonFailsTheStatus() {
    for (String reason :
        List.of("HealthGateFailed", "RevisionMarkedBad", "PodTemplateRejected", "InvalidSpec")) {
      NodeDaemon nd = staged(RolloutPhase.Paused, 2, StepState.Rolling, 10, 2);
      nd.getStatus().setConditions(List.of(condition("Paused", "True", reason, "why: " + reason)));
      RolloutState state = RolloutState.of(nd, SOAK_START);
      assertThat(state.result()).as(reason).isEqualTo(RolloutState.Result.FAILED);
      assertThat(state.message())
          .as(reason)
          .startsWith("node daemon \"agent\" rollout is held: why: " + reason);
    }
    NodeDaemon saysHow = staged(RolloutPhase.Paused, 2, StepState.Rolling, 10, 2);
    saysHow
        .getStatus()
        .setConditions(
            List.of(
                condition(
                    "Paused",
                    "True",
                    "RevisionMarkedBad",
                    "revision 3 is marked bad; set spec.retry (kubectl nodedaemon retry)")));
    assertThat(RolloutState.of(saysHow, SOAK_START).message())
        .as("the operator's own hint is not repeated")
        .isEqualTo(
            "node daemon \"agent\" rollout is held: revision 3 is marked bad; set spec.retry"
                + " (kubectl nodedaemon retry)");
    NodeDaemon bad = staged(RolloutPhase.Paused, 2, StepState.Rolling, 10, 2);
    bad.getStatus()
        .setConditions(
            List.of(condition("Paused", "True", "RevisionMarkedBad", "revision 3 is marked bad")));
    assertThat(RolloutState.of(bad, SOAK_START).message())
        .isEqualTo(
            "node daemon \"agent\" rollout is held: revision 3 is marked bad (change the"
                + " template, or roll it out again with: kubectl nodedaemon retry agent)");
    // A hold only the Progressing condition names counts too.
    NodeDaemon progressing = staged(RolloutPhase.Paused, 2, StepState.Rolling, 10, 2);
    progressing
        .getStatus()
        .setConditions(List.of(condition("Progressing", "False", "PodTemplateRejected", "")));
    assertThat(RolloutState.of(progressing, SOAK_START).message())
        .isEqualTo("node daemon \"agent\" rollout is held: PodTemplateRejected");
    // A plain pause is not a hold.
    NodeDaemon paused = staged(RolloutPhase.Paused, 2, StepState.Rolling, 10, 2);
    paused
        .getStatus()
        .setConditions(List.of(condition("Paused", "True", "PausedBySpec", "spec.paused")));
    assertThat(RolloutState.of(paused, SOAK_START).result()).isEqualTo(RolloutState.Result.PAUSED);
    assertThat(RolloutState.of(paused, SOAK_START).message())
        .isEqualTo(
            "node daemon \"agent\" rollout is paused: step 2/4: 10%, 0 out of 10 new pods have"
                + " been updated (continue it with: kubectl nodedaemon resume agent)");
  }

  @Test
  void aFrozenNodeDaemonIsPausedAndSaysSo() {
    NodeDaemon nd = staged(RolloutPhase.Paused, 2, StepState.Rolling, 10, 2);
    nd.getStatus().setUpdatedNumberScheduled(1);
    nd.getStatus().setConditions(List.of(condition("Frozen", "True", "FrozenBySpec", "")));
    RolloutState state = RolloutState.of(nd, SOAK_START);
    assertThat(state.result()).isEqualTo(RolloutState.Result.PAUSED);
    assertThat(state.message())
        .isEqualTo(
            "node daemon \"agent\" is frozen: no pod is created, deleted or updated; 1 out of 10"
                + " pods run the update revision (lift it with: kubectl nodedaemon unfreeze"
                + " agent)");
    // Complete and frozen (a node that joined gets no pod): complete, and it says it is frozen.
    NodeDaemon complete = staged(RolloutPhase.Complete, 2, StepState.Rolling, 10, 2);
    complete.getStatus().setConditions(List.of(condition("Frozen", "True", "FrozenBySpec", "")));
    assertThat(RolloutState.of(complete, SOAK_START))
        .isEqualTo(
            new RolloutState(
                RolloutState.Result.COMPLETE,
                "node daemon \"agent\" successfully rolled out; it is frozen: no pod is created,"
                    + " deleted or updated, not even on a node that joins (lift it with: kubectl"
                    + " nodedaemon unfreeze agent)"));
    NodeDaemon specOnly = staged(RolloutPhase.Progressing, 2, StepState.Rolling, 10, 2);
    specOnly.getSpec().setFrozen(true);
    assertThat(RolloutState.of(specOnly, SOAK_START).message()).contains("is frozen");
  }

  @Test
  void statusPrintsTheStepThenTheGateVerdictOnceEachTimeItChanges() {
    StringWriter text = new StringWriter();
    Clock clock = Clock.fixed(SOAK_START.plusSeconds(180), ZoneOffset.UTC);
    StatusCommand.Progress progress =
        new StatusCommand.Progress(new PrintWriter(text), true, false, clock);
    NodeDaemon nd = staged(RolloutPhase.Progressing, 2, StepState.Soaking, 10, 2);
    progress.show(nd);
    progress.show(nd);
    nd.getStatus().setPhase(RolloutPhase.Failed);
    nd.getStatus()
        .setConditions(
            List.of(condition("Failed", "True", "HealthGateFailed", "health gates failed")));
    nd.getStatus().getRollout().setFailedNodes(1);
    nd.getStatus().getRollout().setFailedNodesThreshold(1);
    nd.getStatus()
        .getRollout()
        .setGateFailures(
            List.of(new GateFailure("node-3", "agent-3", "OOMKilled", "exit 137", null)));
    RolloutState last = progress.show(nd);
    assertThat(last.result()).isEqualTo(RolloutState.Result.FAILED);
    assertThat(text.toString())
        .isEqualTo(
            """
            Phase Progressing (update revision h2)
            Waiting for node daemon "agent" rollout to finish: step 2/4: 10%, soaking 3m of 10m
            Phase Failed (update revision h2)
            node daemon "agent" rollout failed: health gates failed
            Health gates failed on 1 node (threshold 1):
              node-3: OOMKilled (pod agent-3: exit 137)
            """);
  }

  @Test
  void theNewRequestsArePatchedAsTheOperatorReadsThem() {
    assertThat(Patches.merge().promoteFrom(2).json())
        .isEqualTo("{\"spec\":{\"promote\":{\"fromStep\":2,\"full\":null}}}");
    assertThat(Patches.merge().promoteFull().json())
        .isEqualTo("{\"spec\":{\"promote\":{\"full\":true,\"fromStep\":null}}}");
    assertThat(Patches.merge().retry().json()).isEqualTo("{\"spec\":{\"retry\":true}}");
    assertThat(Patches.merge().frozen(true).json()).isEqualTo("{\"spec\":{\"frozen\":true}}");
    assertThat(Patches.merge().frozen(false).json()).isEqualTo("{\"spec\":{\"frozen\":null}}");
  }

  @Test
  void historyShowsWhichRevisionsAreMarkedBadAndWhy() {
    List<Revision> clean =
        List.of(
            new Revision(1, "h1", "agent-h1", "first install", null, null, null),
            new Revision(2, "h2", "agent-h2", null, null, null, null));
    assertThat(HistoryCommand.table(clean))
        .isEqualTo(
            """
            REVISION   HASH   CHANGE-CAUSE
            1          h1     first install
            2          h2     <none>
            """);
    List<Revision> oneBad =
        List.of(
            new Revision(1, "h1", "agent-h1", "first install", null, null, null),
            new Revision(
                2, "h2", "agent-h2", "v2", null, "health gates failed: node-0 OOMKilled", null));
    assertThat(HistoryCommand.table(oneBad))
        .isEqualTo(
            """
            REVISION   HASH   CHANGE-CAUSE    MARKED-BAD
            1          h1     first install   -
            2          h2     v2              health gates failed: node-0 OOMKilled
            """);
  }

  /**
   * A NodeDaemon on 10 nodes with steps [1, 10% soak 10m, 50% wait for promote, 100%], at {@code
   * step} in {@code state} since {@link #SOAK_START}.
   */
  static NodeDaemon staged(
      RolloutPhase phase, int step, StepState state, int desired, int stepNodes) {
    NodeDaemon nd = new NodeDaemon();
    nd.setMetadata(new ObjectMetaBuilder().withName("agent").withGeneration(3L).build());
    NodeDaemonSpec spec = new NodeDaemonSpec();
    RollingUpdate rolling = new RollingUpdate();
    rolling.setSteps(
        new ArrayList<>(
            List.of(
                new RolloutStep(new IntOrString(1), new StepPause()),
                new RolloutStep(new IntOrString("10%"), new StepPause("10m")),
                new RolloutStep(new IntOrString("50%"), new StepPause()),
                new RolloutStep(new IntOrString("100%"), null))));
    UpdateStrategy strategy = new UpdateStrategy();
    strategy.setRollingUpdate(rolling);
    spec.setUpdateStrategy(strategy);
    nd.setSpec(spec);
    NodeDaemonStatus status = new NodeDaemonStatus();
    status.setObservedGeneration(3L);
    status.setDesiredNumberScheduled(desired);
    status.setNumberAvailable(desired);
    status.setUpdatedNumberScheduled(0);
    status.setUpdatedNumberAvailable(0);
    status.setUpdateRevision("h2");
    status.setPhase(phase);
    RolloutProgress rollout = new RolloutProgress();
    rollout.setRevision("h2");
    rollout.setTargetNodes(desired);
    rollout.setStep(step);
    rollout.setStepCount(4);
    rollout.setStepNodes(stepNodes);
    rollout.setStepState(state);
    rollout.setStepStateTime(SOAK_START.toString());
    status.setRollout(rollout);
    nd.setStatus(status);
    return nd;
  }

  private static Condition condition(String type, String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }
}
