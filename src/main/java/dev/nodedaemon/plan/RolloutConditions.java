package dev.nodedaemon.plan;

import dev.nodedaemon.api.ConditionType;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.plan.PodPlan.Hold;
import dev.nodedaemon.plan.PodPlan.RolloutFacts;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * The rollout's conditions, from what {@link RolloutAssessor} decided: Progressing (with the reason
 * it moves or stands: RollingOut, RollingBack, StepSoaking, StepWaitingForPromote, a hold's reason,
 * Frozen, RolloutComplete, HealthGateFailed, ProgressDeadlineExceeded), Complete, Paused, Failed,
 * Frozen, and the kstatus pair Reconciling and Stalled. Pure.
 */
final class RolloutConditions {

  private RolloutConditions() {}

  /** What the conditions are made of. */
  record State(
      RolloutPhase phase,
      boolean specPaused,
      boolean frozen,
      Hold hold,
      boolean waitingForPromote,
      boolean soaking,
      String failedReason,
      RolloutSteps.Position position,
      HealthGateEvaluator.Verdict gates,
      int deadlineSeconds) {}

  static List<Condition> of(State state, RolloutFacts facts, long number, String blocking) {
    String progress =
        facts.updatedAvailable()
            + " of "
            + facts.rolloutTarget()
            + " nodes run revision "
            + number
            + ", available";
    RolloutSteps.Position at = state.position();
    String stepText =
        at.staged()
            ? "step "
                + at.step()
                + "/"
                + at.count()
                + " ("
                + RolloutSteps.describe(at.exposure())
                + "): "
            : "";
    String waiting = facts.blocking().isEmpty() ? "" : "; waiting on " + blocking;
    Hold hold = state.hold();
    boolean gateFailed = state.gates().failed();
    String failedMessage =
        gateFailed
            ? "health gates failed on "
                + state.gates().failedNodes()
                + " nodes (threshold "
                + state.gates().threshold()
                + "): "
                + HealthGateEvaluator.describe(state.gates().failures())
            : "no progress for " + state.deadlineSeconds() + "s: " + blocking;
    List<Condition> conditions = new ArrayList<>();
    conditions.add(
        switch (state.phase()) {
          case Progressing ->
              state.soaking()
                  ? Conditions.of(
                      ConditionType.Progressing.name(),
                      true,
                      EventReason.StepSoaking.name(),
                      stepText + "soaking since " + at.stateTime() + "; " + progress)
                  : Conditions.of(
                      ConditionType.Progressing.name(),
                      true,
                      "RollingOut",
                      stepText + progress + waiting);
          case RollingBack ->
              Conditions.of(
                  ConditionType.Progressing.name(), true, "RollingBack", progress + waiting);
          case Paused -> {
            if (state.frozen()) {
              yield Conditions.of(
                  ConditionType.Progressing.name(), false, EventReason.Frozen.name(), progress);
            } else if (hold != null) {
              yield Conditions.of(
                  ConditionType.Progressing.name(), false, hold.reason(), hold.message());
            } else if (state.waitingForPromote()) {
              yield Conditions.of(
                  ConditionType.Progressing.name(),
                  false,
                  EventReason.StepWaitingForPromote.name(),
                  stepText + "waiting for a promote; " + progress);
            }
            yield Conditions.of(
                ConditionType.Progressing.name(),
                false,
                EventReason.RolloutPaused.name(),
                progress);
          }
          case Complete ->
              Conditions.of(
                  ConditionType.Progressing.name(),
                  false,
                  EventReason.RolloutComplete.name(),
                  progress);
          case Failed ->
              Conditions.of(
                  ConditionType.Progressing.name(),
                  false,
                  state.failedReason(),
                  failedMessage + "; " + progress);
        });
    boolean complete = state.phase() == RolloutPhase.Complete;
    conditions.add(
        Conditions.of(
            ConditionType.Complete.name(),
            complete,
            complete
                ? (facts.rolloutTarget() < facts.desired() ? "PartitionReached" : "AllNodesUpdated")
                : "RolloutInProgress",
            progress));
    boolean holdPauses = hold != null && state.phase() == RolloutPhase.Paused;
    String pausedReason;
    String pausedMessage;
    if (state.frozen()) {
      pausedReason = EventReason.Frozen.name();
      pausedMessage = "spec.frozen is true: no pod is created, deleted or updated";
    } else if (holdPauses) {
      pausedReason = hold.reason();
      pausedMessage = hold.message();
    } else if (state.specPaused()) {
      pausedReason = "PausedBySpec";
      pausedMessage = "spec.paused is true: no pod is replaced";
    } else if (state.waitingForPromote()) {
      pausedReason = EventReason.StepWaitingForPromote.name();
      pausedMessage = stepText + "waiting for a promote (kubectl nodedaemon promote)";
    } else {
      pausedReason = "NotPaused";
      pausedMessage = "spec.paused is not set";
    }
    conditions.add(
        Conditions.of(
            ConditionType.Paused.name(),
            state.frozen() || holdPauses || state.specPaused() || state.waitingForPromote(),
            pausedReason,
            pausedMessage));
    boolean failed = state.phase() == RolloutPhase.Failed;
    conditions.add(
        Conditions.of(
            ConditionType.Failed.name(),
            failed,
            failed ? state.failedReason() : "NoFailure",
            failed ? failedMessage : "the rollout has not failed"));
    conditions.add(
        Conditions.of(
            ConditionType.Frozen.name(),
            state.frozen(),
            state.frozen() ? "FrozenBySpec" : "NotFrozen",
            state.frozen()
                ? "spec.frozen is true: no pod is created, deleted or updated"
                : "spec.frozen is not set"));
    boolean moving =
        state.phase() == RolloutPhase.Progressing || state.phase() == RolloutPhase.RollingBack;
    conditions.add(
        Conditions.of(
            ConditionType.Reconciling.name(),
            moving,
            moving ? "RolloutInProgress" : "NotReconciling",
            moving ? stepText + progress : "no rollout is moving"));
    conditions.add(
        Conditions.of(
            ConditionType.Stalled.name(),
            failed,
            failed ? state.failedReason() : "NotStalled",
            failed ? failedMessage : "the rollout is not stalled"));
    return conditions;
  }

  /** The reason of the previous status's condition of that type, when it is True. */
  static String trueReason(NodeDaemonStatus previous, ConditionType type) {
    if (previous == null || previous.getConditions() == null) {
      return null;
    }
    return previous.getConditions().stream()
        .filter(c -> type.name().equals(c.getType()))
        .filter(c -> "True".equals(c.getStatus()))
        .map(Condition::getReason)
        .findFirst()
        .orElse(null);
  }

  static boolean isTrue(NodeDaemonStatus previous, ConditionType type) {
    return previous != null
        && previous.getConditions() != null
        && previous.getConditions().stream()
            .anyMatch(c -> type.name().equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
