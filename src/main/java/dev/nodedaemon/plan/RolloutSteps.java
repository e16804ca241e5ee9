package dev.nodedaemon.plan;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PromoteRequest;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.api.RolloutStep;
import dev.nodedaemon.api.StepState;
import dev.nodedaemon.plan.PodPlan.PlannedEvent;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The step machine of a staged rollout ({@code rollingUpdate.steps}). Pure.
 *
 * <p>A rollout with steps is at one step at a time, numbered from 1. The step exposes the update
 * revision to its {@code nodes} (the planner holds every other node back, as a partition would);
 * once those nodes run it, available, the step pauses as its spec says and then the next begins:
 *
 * <pre>
 *   Rolling --(step's nodes updated and available)--> no pause:        next step, Rolling
 *                                                     pause {}:        WaitingForPromote
 *                                                     pause {10m}:     Soaking
 *   WaitingForPromote --(promote fromStep = this step, or full)------> next step, Rolling
 *   Soaking --(soak elapsed, or promote)-----------------------------> next step, Rolling
 * </pre>
 *
 * <p>Invariants:
 *
 * <ol>
 *   <li>The step only moves forward within one revision; a new revision starts at step 1.
 *   <li>A step never exposes fewer nodes than the one before it, nor more than the fleet.
 *   <li>A promote names the step it promotes, so a repeated or late promote is a no-op.
 *   <li>While the health gates have failed, the step does not move: the failure decides.
 *   <li>A rollback ignores the steps: it goes back on every node at once, within the budget.
 *   <li>The last step has no pause: reaching its nodes completes the rollout.
 * </ol>
 */
public final class RolloutSteps {

  private RolloutSteps() {}

  /**
   * Where a staged rollout stands.
   *
   * @param step the current step, from 1; 0 when the rollout has no steps
   * @param count how many steps there are
   * @param exposure the nodes the current step exposes (a count or a percentage of the desired
   *     nodes); null without steps
   * @param state Rolling, Soaking or WaitingForPromote
   * @param stateTime when the step entered its state (the soak's start), the operator's clock
   * @param promotedFull every remaining pause is skipped
   */
  public record Position(
      int step,
      int count,
      IntOrString exposure,
      StepState state,
      String stateTime,
      boolean promotedFull) {

    static final Position NONE = new Position(0, 0, null, null, null, false);

    public boolean staged() {
      return step > 0;
    }

    public boolean atLastStep() {
      return step >= count;
    }
  }

  /** What the step machine decided after the planner ran. */
  public record Move(Position position, List<PlannedEvent> events, Optional<Duration> requeue) {}

  /**
   * The position this reconcile plans with: the previous one of the same revision, moved on by a
   * promote request if it names this step.
   */
  public static Position current(
      NodeDaemon nodeDaemon, String revision, boolean rollingBack, Instant now) {
    List<RolloutStep> steps = steps(nodeDaemon);
    if (steps.isEmpty() || rollingBack) {
      return Position.NONE;
    }
    RolloutProgress previous =
        nodeDaemon.getStatus() == null ? null : nodeDaemon.getStatus().getRollout();
    boolean sameRollout =
        previous != null && revision.equals(previous.getRevision()) && previous.getStep() != null;
    int step = sameRollout ? Math.clamp(previous.getStep(), 1, steps.size()) : 1;
    StepState state =
        sameRollout && previous.getStepState() != null
            ? previous.getStepState()
            : StepState.Rolling;
    String stateTime =
        sameRollout && previous.getStepStateTime() != null
            ? previous.getStepStateTime()
            : now.toString();
    boolean promotedFull = sameRollout && Boolean.TRUE.equals(previous.getPromotedFull());
    PromoteRequest promote = nodeDaemon.getSpec().getPromote();
    if (promote != null) {
      promotedFull |= Boolean.TRUE.equals(promote.getFull());
      if (promote.getFromStep() != null && promote.getFromStep() == step && step < steps.size()) {
        step++;
        state = StepState.Rolling;
        stateTime = now.toString();
      }
    }
    return new Position(step, steps.size(), exposure(steps, step), state, stateTime, promotedFull);
  }

  /**
   * Moves the step on from what the planner saw.
   *
   * @param reached the step's nodes all run the update revision, available
   * @param gatesFailed the health gates stopped the rollout
   * @param previousStep the step the last status recorded (0 if none), for the events
   */
  public static Move next(
      NodeDaemon nodeDaemon,
      Position position,
      boolean reached,
      boolean gatesFailed,
      int previousStep,
      Instant now) {
    if (!position.staged()) {
      return new Move(position, List.of(), Optional.empty());
    }
    List<RolloutStep> steps = steps(nodeDaemon);
    List<PlannedEvent> events = new ArrayList<>();
    if (position.step() != previousStep) {
      events.add(
          new PlannedEvent(
              false,
              EventReason.StepStarted.name(),
              "Step "
                  + position.step()
                  + "/"
                  + position.count()
                  + " started: "
                  + describe(position.exposure())
                  + " of the nodes"));
    }
    if (gatesFailed || position.atLastStep()) {
      return new Move(position, events, Optional.empty());
    }
    if (!reached) {
      Position rolling =
          position.state() == StepState.Rolling
              ? position
              : withState(position, StepState.Rolling, now.toString());
      return new Move(rolling, events, Optional.empty());
    }
    RolloutStep step = steps.get(position.step() - 1);
    Optional<Duration> soak =
        step.getPause() == null
            ? Optional.of(Duration.ZERO)
            : Durations.parse(step.getPause().getDuration());
    if (position.promotedFull()) {
      soak = Optional.of(Duration.ZERO);
    }
    if (soak.isEmpty()) {
      Position waiting =
          position.state() == StepState.WaitingForPromote
              ? position
              : withState(position, StepState.WaitingForPromote, now.toString());
      if (position.state() != StepState.WaitingForPromote) {
        events.add(
            new PlannedEvent(
                false,
                EventReason.StepWaitingForPromote.name(),
                "Step "
                    + position.step()
                    + "/"
                    + position.count()
                    + " reached its nodes, healthy; waiting for a promote (kubectl nodedaemon"
                    + " promote)"));
      }
      return new Move(waiting, events, Optional.empty());
    }
    Position soaking =
        position.state() == StepState.Soaking
            ? position
            : withState(position, StepState.Soaking, now.toString());
    Instant soakEnds = Instant.parse(soaking.stateTime()).plus(soak.get());
    if (now.isBefore(soakEnds)) {
      if (position.state() != StepState.Soaking) {
        events.add(
            new PlannedEvent(
                false,
                EventReason.StepSoaking.name(),
                "Step "
                    + position.step()
                    + "/"
                    + position.count()
                    + " reached its nodes, healthy; soaking for "
                    + Durations.format(soak.get())));
      }
      return new Move(soaking, events, Optional.of(Duration.between(now, soakEnds)));
    }
    int next = position.step() + 1;
    events.add(
        new PlannedEvent(
            false,
            EventReason.StepCompleted.name(),
            "Step "
                + position.step()
                + "/"
                + position.count()
                + " completed"
                + (soak.get().isZero() ? "" : " after a " + Durations.format(soak.get()) + " soak")
                + "; promoting to step "
                + next));
    Position promoted =
        new Position(
            next,
            position.count(),
            exposure(steps, next),
            StepState.Rolling,
            now.toString(),
            position.promotedFull());
    // The next reconcile plans with the new step's nodes.
    return new Move(promoted, events, Optional.of(Duration.ofMillis(100)));
  }

  /** "10%", "3 nodes". */
  public static String describe(IntOrString exposure) {
    if (exposure == null) {
      return "all";
    }
    return exposure.getIntVal() != null
        ? exposure.getIntVal() + (exposure.getIntVal() == 1 ? " node" : " nodes")
        : exposure.getStrVal();
  }

  /** The rollingUpdate.steps of the NodeDaemon, empty when it has none. */
  public static List<RolloutStep> steps(NodeDaemon nodeDaemon) {
    RollingUpdate rolling =
        nodeDaemon.getSpec().getUpdateStrategy() == null
            ? null
            : nodeDaemon.getSpec().getUpdateStrategy().getRollingUpdate();
    return rolling == null || rolling.getSteps() == null ? List.of() : rolling.getSteps();
  }

  /** Nodes exposed at {@code step} of {@code desired}: never fewer than an earlier step's. */
  public static int exposedNodes(List<RolloutStep> steps, int step, int desired) {
    int nodes = 0;
    for (int i = 0; i < Math.min(step, steps.size()); i++) {
      nodes = Math.max(nodes, RollingUpdatePlanner.scaled(steps.get(i).getNodes(), desired, 0));
    }
    return Math.min(desired, nodes);
  }

  private static IntOrString exposure(List<RolloutStep> steps, int step) {
    return steps.get(step - 1).getNodes();
  }

  private static Position withState(Position position, StepState state, String time) {
    return new Position(
        position.step(),
        position.count(),
        position.exposure(),
        state,
        time,
        position.promotedFull());
  }
}
