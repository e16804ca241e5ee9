package dev.nodedaemon.plan;

import dev.nodedaemon.api.BlockingNode;
import dev.nodedaemon.api.ConditionType;
import dev.nodedaemon.api.GateFailure;
import dev.nodedaemon.api.GateFailureAction;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.api.StepState;
import dev.nodedaemon.api.UpdateStrategyType;
import dev.nodedaemon.plan.PodPlan.Hold;
import dev.nodedaemon.plan.PodPlan.PlannedEvent;
import dev.nodedaemon.plan.PodPlan.RolloutFacts;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The rollout state machine: from the previous status, the step's {@link RolloutFacts} and the
 * operator's clock, decides the phase, the progress memory, the rollout conditions and the events
 * of this step. Pure.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>A rollout is one update revision. A new revision (a template change, a rollback) starts a
 *       new rollout: start and last-progress time are now.
 *   <li>Progress is a rise of the score {@code updated + updatedAvailable} (a node got the new pod,
 *       or its new pod became available). A fall (a node left) lowers the mark without counting as
 *       progress.
 *   <li>Complete when the nodes the rollout should reach ({@code target}: all that should run the
 *       pod, less those held back by partition, the update node selector, or a NotReady node the
 *       rollout skips) all run the update revision, available, at the last step if it has steps,
 *       and its health gates have not failed. A complete rollout stays complete while the spec is
 *       unchanged: a node that joins later gets the update revision at once, which is scale-out,
 *       not a new rollout (it shows in the Available condition and in blockingNodes). A spec change
 *       (a new partition, say) assesses again.
 *   <li>Failed, at once, when the health gates failed and their action is Rollback (condition
 *       reason HealthGateFailed); the reconciler then marks the revision bad and rolls back.
 *   <li>Paused while spec.paused, spec.frozen, a step waits for a promote, or the update is held
 *       ({@link RolloutFacts#hold()}: a spec that cannot work, a template the API server refuses, a
 *       revision marked bad, health gates failed with action Pause; the hold's reason is the
 *       condition reason, and a warning event with that reason marks when the hold begins), and not
 *       complete. A soaking step is Progressing but has no deadline. Pausing stops the deadline
 *       clock: on resuming, and whenever a rollout that was standing still (Paused or Complete) has
 *       work again, the last-progress time restarts at now.
 *   <li>Failed when a moving RollingUpdate has made no progress for progressDeadlineSeconds on the
 *       operator's clock; it is left as soon as progress resumes. OnDelete waits for people and has
 *       no deadline.
 *   <li>RollingBack instead of Progressing while the update revision is one a rollback restored.
 * </ol>
 *
 * Every phase change it makes is allowed by {@link PhaseTransitions} (its tests check this).
 */
public final class RolloutAssessor {

  public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

  /** Condition reason and event of a rollout held because its spec cannot work. */
  public static final String INVALID_SPEC = EventReason.InvalidSpec.name();

  /** status.blockingNodes holds at most this many nodes; the condition message counts the rest. */
  public static final int MAX_BLOCKING_NODES = 20;

  /** At most this many HealthGateFailed events per reconcile; status lists the rest. */
  static final int MAX_GATE_EVENTS = 10;

  private RolloutAssessor() {}

  /**
   * @param failedNow true on the step that moves the rollout into Failed
   * @param requeueAfter when the deadline would pass, if the rollout is still moving
   */
  public record Assessment(
      RolloutPhase phase,
      RolloutProgress progress,
      List<BlockingNode> blockingNodes,
      List<Condition> conditions,
      List<PlannedEvent> events,
      Optional<Duration> requeueAfter,
      boolean failedNow) {}

  /**
   * @param lastRollback the last rollback the operator performed, if any
   */
  public static Assessment assess(
      PlanInput input, RolloutFacts facts, Optional<RollbackRecord> lastRollback) {
    return assess(
        input,
        facts,
        HealthGateEvaluator.Verdict.passing(1),
        RolloutSteps.Position.NONE,
        lastRollback);
  }

  /**
   * @param gates the health gates' verdict on the update revision's pods
   * @param position where a staged rollout stood when the pods were planned
   * @param lastRollback the last rollback the operator performed, if any
   */
  public static Assessment assess(
      PlanInput input,
      RolloutFacts facts,
      HealthGateEvaluator.Verdict gates,
      RolloutSteps.Position position,
      Optional<RollbackRecord> lastRollback) {
    NodeDaemon nodeDaemon = input.nodeDaemon();
    Instant now = input.now();
    NodeDaemonStatus previous = nodeDaemon.getStatus();
    RolloutPhase previousPhase = previous == null ? null : previous.getPhase();
    RolloutProgress previousProgress = previous == null ? null : previous.getRollout();
    String revision = input.updateRevision();

    boolean newRevision =
        previousProgress == null || !revision.equals(previousProgress.getRevision());
    boolean rollback = rollingBack(nodeDaemon, revision, lastRollback);
    int score = facts.updated() + facts.updatedAvailable();
    Hold hold = facts.hold();
    boolean gatesFailed = gates.failed();
    boolean frozen = Boolean.TRUE.equals(nodeDaemon.getSpec().getFrozen());
    boolean specPaused = Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused());
    boolean reachedStep = facts.updatedAvailable() >= facts.target();
    // Every node the whole rollout targets already runs the revision (a first install, or a
    // template re-applied): complete at whatever step, there is nothing left to stage.
    boolean reachedAll = facts.updatedAvailable() >= facts.rolloutTarget();
    boolean reached = reachedAll || (reachedStep && (!position.staged() || position.atLastStep()));
    boolean completedForThisSpec =
        !newRevision
            && previousPhase == RolloutPhase.Complete
            && Objects.equals(
                previous.getObservedGeneration(), nodeDaemon.getMetadata().getGeneration());
    boolean complete = (reached || completedForThisSpec) && !gatesFailed;
    int previousStep =
        newRevision || previousProgress.getStep() == null ? 0 : previousProgress.getStep();
    RolloutSteps.Move move =
        RolloutSteps.next(nodeDaemon, position, reachedStep, gatesFailed, previousStep, now);
    StepState stepState = move.position().state();
    boolean waitingForPromote = stepState == StepState.WaitingForPromote && !complete;
    boolean soaking = stepState == StepState.Soaking && !complete;
    boolean haltedByGates = gatesFailed && gateAction(nodeDaemon) == GateFailureAction.Rollback;
    boolean paused = specPaused || frozen || waitingForPromote || (hold != null && !haltedByGates);
    boolean moving = !paused && !complete && !soaking;
    boolean onDelete =
        nodeDaemon.getSpec().getUpdateStrategy() != null
            && nodeDaemon.getSpec().getUpdateStrategy().effectiveType()
                == UpdateStrategyType.OnDelete;

    String startTime = newRevision ? now.toString() : previousProgress.getStartTime();
    String lastProgressTime;
    int mark;
    if (newRevision) {
      lastProgressTime = now.toString();
      mark = score;
    } else {
      boolean wasMoving =
          (previousPhase == RolloutPhase.Progressing
                  || previousPhase == RolloutPhase.RollingBack
                  || previousPhase == RolloutPhase.Failed)
              && previousProgress.getStepState() != StepState.Soaking;
      int previousMark = valueOr(previousProgress.getProgressMark(), 0);
      if ((moving && !wasMoving) || score > previousMark || soaking) {
        lastProgressTime = now.toString();
        mark = score;
      } else {
        lastProgressTime = previousProgress.getLastProgressTime();
        mark = Math.min(score, previousMark);
      }
    }

    int deadlineSeconds =
        valueOr(
            nodeDaemon.getSpec().getProgressDeadlineSeconds(), DEFAULT_PROGRESS_DEADLINE_SECONDS);
    Instant deadline = Instant.parse(lastProgressTime).plusSeconds(deadlineSeconds);
    boolean deadlinePassed = moving && !onDelete && !now.isBefore(deadline);
    RolloutPhase phase;
    if (haltedByGates) {
      phase = RolloutPhase.Failed;
    } else if (paused && !complete) {
      phase = RolloutPhase.Paused;
    } else if (complete) {
      phase = RolloutPhase.Complete;
    } else if (deadlinePassed) {
      phase = RolloutPhase.Failed;
    } else {
      phase = rollback ? RolloutPhase.RollingBack : RolloutPhase.Progressing;
    }
    String failedReason =
        haltedByGates
            ? EventReason.HealthGateFailed.name()
            : EventReason.ProgressDeadlineExceeded.name();

    List<BlockingNode> blocking =
        reached
            ? List.of()
            : facts.blocking().subList(0, Math.min(MAX_BLOCKING_NODES, facts.blocking().size()));
    long number = input.revisions().updateNumber();
    List<PlannedEvent> events = new ArrayList<>();
    if (newRevision && !complete) {
      events.add(
          new PlannedEvent(
              false,
              (rollback ? EventReason.RollbackStarted : EventReason.RolloutStarted).name(),
              (rollback ? "Rolling back to revision " : "Rolling out revision ")
                  + number
                  + " ("
                  + revision
                  + ") to "
                  + facts.rolloutTarget()
                  + " of "
                  + facts.desired()
                  + " nodes"
                  + (position.staged() ? " in " + position.count() + " steps" : "")));
    }
    events.addAll(move.events());
    int shownFailures = 0;
    for (GateFailure failure : gates.fresh()) {
      if (shownFailures++ == MAX_GATE_EVENTS) {
        break;
      }
      events.add(
          new PlannedEvent(
              true,
              EventReason.HealthGateFailed.name(),
              "Node "
                  + failure.getNode()
                  + ", pod "
                  + failure.getPod()
                  + ": "
                  + failure.getReason()
                  + " ("
                  + failure.getMessage()
                  + ")"));
    }
    boolean gatesWereFailed =
        !newRevision
            && previousProgress.getFailedNodes() != null
            && previousProgress.getFailedNodesThreshold() != null
            && previousProgress.getFailedNodes() >= previousProgress.getFailedNodesThreshold();
    if (gatesFailed && !gatesWereFailed) {
      events.add(
          new PlannedEvent(
              true,
              EventReason.RolloutHalted.name(),
              "Revision "
                  + number
                  + " halted: "
                  + gates.failedNodes()
                  + " of "
                  + facts.rolloutTarget()
                  + " nodes failed their health gates (threshold "
                  + gates.threshold()
                  + "); "
                  + (haltedByGates
                      ? "rolling back to the last revision that completed"
                      : "the rollout is paused")
                  + "; the revision is marked bad"));
    }
    if (phase != previousPhase && previousPhase != null) {
      switch (phase) {
        case Complete -> {
          events.add(
              new PlannedEvent(
                  false,
                  EventReason.RolloutComplete.name(),
                  "Revision "
                      + number
                      + " is available on "
                      + facts.updatedAvailable()
                      + " of "
                      + facts.desired()
                      + " nodes after "
                      + Duration.between(Instant.parse(startTime), now).toSeconds()
                      + "s"));
          if (rollback) {
            events.add(
                new PlannedEvent(
                    false,
                    EventReason.RollbackComplete.name(),
                    "Rollback to revision " + number + " is complete"));
          }
        }
        case Paused -> {
          if (specPaused && hold == null && !frozen && !waitingForPromote) {
            events.add(new PlannedEvent(false, EventReason.RolloutPaused.name(), "Rollout paused"));
          }
        }
        case Failed -> {
          if (!haltedByGates) {
            events.add(
                new PlannedEvent(
                    true,
                    EventReason.ProgressDeadlineExceeded.name(),
                    "Revision "
                        + number
                        + " made no progress for "
                        + deadlineSeconds
                        + "s: "
                        + describe(facts.blocking())));
          }
        }
        default -> {
          if (previousPhase == RolloutPhase.Paused) {
            events.add(
                new PlannedEvent(false, EventReason.RolloutResumed.name(), "Rollout resumed"));
          }
        }
      }
    }

    String previousHold = RolloutConditions.trueReason(previous, ConditionType.Paused);
    if (hold != null
        && !hold.reason().equals(EventReason.HealthGateFailed.name())
        && !hold.reason().equals(previousHold)) {
      events.add(new PlannedEvent(true, hold.reason(), hold.message()));
    }
    boolean wasFrozen = RolloutConditions.isTrue(previous, ConditionType.Frozen);
    if (frozen && !wasFrozen) {
      events.add(
          new PlannedEvent(
              true,
              EventReason.Frozen.name(),
              "spec.frozen is true: no pod is created, deleted or updated until it is lifted"));
    } else if (!frozen && wasFrozen) {
      events.add(new PlannedEvent(false, EventReason.Unfrozen.name(), "spec.frozen lifted"));
    }

    RolloutProgress progress =
        new RolloutProgress(revision, startTime, lastProgressTime, mark, rollback ? true : null);
    progress.setTargetNodes(facts.rolloutTarget());
    OrderFacts order = facts.order();
    if (!order.groups().isEmpty()) {
      progress.setGroup(order.currentGroupName());
      progress.setGroupsCompleted(order.currentGroup());
      progress.setGroupCount(order.groups().size());
      Integer before =
          newRevision || previousProgress == null ? null : previousProgress.getGroupsCompleted();
      events.addAll(order.events(before));
    }
    RolloutSteps.Position at = move.position();
    if (at.staged()) {
      progress.setStep(at.step());
      progress.setStepCount(at.count());
      progress.setStepNodes(Math.min(facts.rolloutTarget(), facts.target()));
      progress.setStepState(at.state());
      progress.setStepStateTime(at.stateTime());
      progress.setPromotedFull(at.promotedFull() ? true : null);
    }
    if (gates.failedNodes() > 0) {
      progress.setFailedNodes(gates.failedNodes());
      progress.setGateFailures(gates.failures());
    }
    progress.setFailedNodesThreshold(gates.threshold());

    RolloutConditions.State summary =
        new RolloutConditions.State(
            phase,
            specPaused,
            frozen,
            hold,
            waitingForPromote,
            soaking,
            failedReason,
            at,
            gates,
            deadlineSeconds);
    List<Condition> conditions =
        RolloutConditions.of(summary, facts, number, describe(facts.blocking()));
    Optional<Duration> requeue = move.requeue();
    if ((phase == RolloutPhase.Progressing || phase == RolloutPhase.RollingBack)
        && !onDelete
        && !soaking) {
      Duration untilDeadline = Duration.between(now, deadline).plusSeconds(1);
      requeue =
          Optional.of(requeue.filter(r -> r.compareTo(untilDeadline) < 0).orElse(untilDeadline));
    }
    return new Assessment(
        phase,
        progress,
        blocking.isEmpty() ? null : List.copyOf(blocking),
        conditions,
        events,
        requeue,
        phase == RolloutPhase.Failed && previousPhase != RolloutPhase.Failed);
  }

  /** Whether the update revision is one a rollback restored. */
  public static boolean rollingBack(
      NodeDaemon nodeDaemon, String revision, Optional<RollbackRecord> lastRollback) {
    RolloutProgress previous =
        nodeDaemon.getStatus() == null ? null : nodeDaemon.getStatus().getRollout();
    boolean newRevision = previous == null || !revision.equals(previous.getRevision());
    return newRevision
        ? lastRollback.map(r -> revision.equals(r.getRevisionHash())).orElse(false)
        : Boolean.TRUE.equals(previous.getRollback());
  }

  /** The gates' failure action, with its default. */
  public static GateFailureAction gateAction(NodeDaemon nodeDaemon) {
    return HealthGateEvaluator.Settings.of(nodeDaemon.getSpec().getHealthGates()).onFailure();
  }

  /** "node-a: CrashLoopBackOff (container agent: ...), node-b: ... and 3 more nodes". */
  static String describe(List<BlockingNode> blocking) {
    if (blocking.isEmpty()) {
      return "no node is blocked";
    }
    int shown = Math.min(5, blocking.size());
    String listed =
        blocking.subList(0, shown).stream()
            .map(
                b ->
                    b.getNode()
                        + ": "
                        + b.getReason()
                        + (b.getMessage() == null || b.getMessage().isEmpty()
                            ? ""
                            : " (" + b.getMessage() + ")"))
            .collect(Collectors.joining(", "));
    return blocking.size() > shown
        ? listed + " and " + (blocking.size() - shown) + " more nodes"
        : listed;
  }

  private static int valueOr(Integer value, int fallback) {
    return value == null ? fallback : value;
  }
}
