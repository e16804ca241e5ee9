package dev.nodedaemon.plan;

import dev.nodedaemon.api.BlockingNode;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.api.UpdateStrategyType;
import dev.nodedaemon.plan.PodPlan.PlannedEvent;
import dev.nodedaemon.plan.PodPlan.RolloutFacts;
import dev.nodedaemon.status.Conditions;
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
 *       pod, less those held back by partition or the update node selector) all run the update
 *       revision, available. A complete rollout stays complete while the spec is unchanged: a node
 *       that joins later gets the update revision at once, which is scale-out, not a new rollout
 *       (it shows in the Available condition and in blockingNodes). A spec change (a new partition,
 *       say) assesses again.
 *   <li>Paused while spec.paused, or while the update is held by a spec that cannot work ({@link
 *       RolloutFacts#heldBy()}: then condition reasons InvalidSpec and a warning event InvalidSpec
 *       when the hold begins), and not complete. Pausing stops the deadline clock: on resuming, and
 *       whenever a rollout that was standing still (Paused or Complete) has work again, the
 *       last-progress time restarts at now.
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
  public static final String INVALID_SPEC = "InvalidSpec";

  /** status.blockingNodes holds at most this many nodes; the condition message counts the rest. */
  public static final int MAX_BLOCKING_NODES = 20;

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
    NodeDaemon nodeDaemon = input.nodeDaemon();
    Instant now = input.now();
    NodeDaemonStatus previous = nodeDaemon.getStatus();
    RolloutPhase previousPhase = previous == null ? null : previous.getPhase();
    RolloutProgress previousProgress = previous == null ? null : previous.getRollout();
    String revision = input.updateRevision();

    boolean newRevision =
        previousProgress == null || !revision.equals(previousProgress.getRevision());
    boolean rollback =
        newRevision
            ? lastRollback.map(r -> revision.equals(r.getRevisionHash())).orElse(false)
            : Boolean.TRUE.equals(previousProgress.getRollback());
    int score = facts.updated() + facts.updatedAvailable();
    boolean held = facts.heldBy() != null;
    boolean paused = Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused()) || held;
    boolean reached = facts.updatedAvailable() >= facts.target();
    boolean completedForThisSpec =
        !newRevision
            && previousPhase == RolloutPhase.Complete
            && Objects.equals(
                previous.getObservedGeneration(), nodeDaemon.getMetadata().getGeneration());
    boolean complete = reached || completedForThisSpec;
    boolean moving = !paused && !complete;
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
          previousPhase == RolloutPhase.Progressing
              || previousPhase == RolloutPhase.RollingBack
              || previousPhase == RolloutPhase.Failed;
      int previousMark = valueOr(previousProgress.getProgressMark(), 0);
      if ((moving && !wasMoving) || score > previousMark) {
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
    RolloutPhase phase;
    if (paused && !complete) {
      phase = RolloutPhase.Paused;
    } else if (complete) {
      phase = RolloutPhase.Complete;
    } else if (!onDelete && !now.isBefore(deadline)) {
      phase = RolloutPhase.Failed;
    } else {
      phase = rollback ? RolloutPhase.RollingBack : RolloutPhase.Progressing;
    }

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
              rollback ? "RollbackStarted" : "RolloutStarted",
              (rollback ? "Rolling back to revision " : "Rolling out revision ")
                  + number
                  + " ("
                  + revision
                  + ") to "
                  + facts.target()
                  + " of "
                  + facts.desired()
                  + " nodes"));
    }
    if (phase != previousPhase && previousPhase != null) {
      switch (phase) {
        case Complete ->
            events.add(
                new PlannedEvent(
                    false,
                    "RolloutComplete",
                    "Revision "
                        + number
                        + " is available on "
                        + facts.updatedAvailable()
                        + " of "
                        + facts.desired()
                        + " nodes after "
                        + Duration.between(Instant.parse(startTime), now).toSeconds()
                        + "s"));
        case Paused -> {
          if (!held) {
            events.add(new PlannedEvent(false, "RolloutPaused", "Rollout paused"));
          }
        }
        case Failed ->
            events.add(
                new PlannedEvent(
                    true,
                    "ProgressDeadlineExceeded",
                    "Revision "
                        + number
                        + " made no progress for "
                        + deadlineSeconds
                        + "s: "
                        + describe(facts.blocking())));
        default -> {
          if (previousPhase == RolloutPhase.Paused) {
            events.add(new PlannedEvent(false, "RolloutResumed", "Rollout resumed"));
          }
        }
      }
    }

    boolean wasHeld =
        previousPhase == RolloutPhase.Paused
            && previous.getConditions() != null
            && previous.getConditions().stream()
                .anyMatch(c -> "Paused".equals(c.getType()) && INVALID_SPEC.equals(c.getReason()));
    if (held && phase == RolloutPhase.Paused && !wasHeld) {
      events.add(new PlannedEvent(true, INVALID_SPEC, facts.heldBy()));
    }

    List<Condition> conditions =
        conditions(
            phase,
            Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused()),
            facts,
            number,
            deadlineSeconds,
            describe(facts.blocking()));
    Optional<Duration> requeue =
        (phase == RolloutPhase.Progressing || phase == RolloutPhase.RollingBack) && !onDelete
            ? Optional.of(Duration.between(now, deadline).plusSeconds(1))
            : Optional.empty();
    return new Assessment(
        phase,
        new RolloutProgress(revision, startTime, lastProgressTime, mark, rollback ? true : null),
        blocking.isEmpty() ? null : List.copyOf(blocking),
        conditions,
        events,
        requeue,
        phase == RolloutPhase.Failed && previousPhase != RolloutPhase.Failed);
  }

  private static List<Condition> conditions(
      RolloutPhase phase,
      boolean specPaused,
      RolloutFacts facts,
      long number,
      int deadlineSeconds,
      String blocking) {
    String progress =
        facts.updatedAvailable()
            + " of "
            + facts.target()
            + " nodes run revision "
            + number
            + ", available";
    String waiting = facts.blocking().isEmpty() ? "" : "; waiting on " + blocking;
    boolean held = facts.heldBy() != null && phase == RolloutPhase.Paused;
    List<Condition> conditions = new ArrayList<>();
    conditions.add(
        switch (phase) {
          case Progressing -> Conditions.of("Progressing", true, "RollingOut", progress + waiting);
          case RollingBack -> Conditions.of("Progressing", true, "RollingBack", progress + waiting);
          case Paused ->
              held
                  ? Conditions.of("Progressing", false, INVALID_SPEC, facts.heldBy())
                  : Conditions.of("Progressing", false, "RolloutPaused", progress);
          case Complete -> Conditions.of("Progressing", false, "RolloutComplete", progress);
          case Failed ->
              Conditions.of(
                  "Progressing",
                  false,
                  "ProgressDeadlineExceeded",
                  "no progress for " + deadlineSeconds + "s; " + progress + "; " + blocking);
        });
    boolean complete = phase == RolloutPhase.Complete;
    conditions.add(
        Conditions.of(
            "Complete",
            complete,
            complete
                ? (facts.target() < facts.desired() ? "PartitionReached" : "AllNodesUpdated")
                : "RolloutInProgress",
            progress));
    conditions.add(
        Conditions.of(
            "Paused",
            specPaused || held,
            held ? INVALID_SPEC : specPaused ? "PausedBySpec" : "NotPaused",
            held
                ? facts.heldBy()
                : specPaused
                    ? "spec.paused is true: no pod is replaced"
                    : "spec.paused is not set"));
    boolean failed = phase == RolloutPhase.Failed;
    conditions.add(
        Conditions.of(
            "Failed",
            failed,
            failed ? "ProgressDeadlineExceeded" : "NoFailure",
            failed
                ? "no progress for " + deadlineSeconds + "s: " + blocking
                : "the rollout has not failed"));
    return conditions;
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
