package dev.nodedaemon.plan;

import dev.nodedaemon.api.GateFailureAction;
import dev.nodedaemon.api.RollbackRecord;
import java.time.Duration;
import java.util.Optional;

/**
 * The whole decision of one reconcile, as one pure function of what was observed ({@link
 * PlanInput}: nodes, pods, revisions, the spec, what the operator remembers, the time):
 *
 * <ol>
 *   <li>where a staged rollout stands, moved on by a promote request ({@link RolloutSteps});
 *   <li>the pod writes, with the health gates' verdict and any hold ({@link PodPlanner});
 *   <li>the phase, conditions, progress memory and events ({@link RolloutAssessor});
 *   <li>when to look again.
 * </ol>
 *
 * The reconciler observes, calls this, carries the writes out, and records the status.
 */
public final class RolloutDecider {

  private RolloutDecider() {}

  /**
   * @param plan the pod writes and what was seen while deciding them
   * @param rollout the phase, conditions, progress memory and events
   * @param rollingBack the update revision is one a rollback restored
   * @param markBad the update revision failed its health gates: it is to be marked bad
   * @param rollbackForGates ... and its gates' action is to roll back
   * @param requeueAfter when to look again even if nothing changes
   */
  public record Decision(
      PodPlan plan,
      RolloutAssessor.Assessment rollout,
      boolean rollingBack,
      boolean markBad,
      boolean rollbackForGates,
      Optional<Duration> requeueAfter) {}

  public static Decision decide(PlanInput input, Optional<RollbackRecord> lastRollback) {
    boolean rollingBack =
        RolloutAssessor.rollingBack(input.nodeDaemon(), input.updateRevision(), lastRollback);
    boolean retrying = Boolean.TRUE.equals(input.nodeDaemon().getSpec().getRetry());
    RolloutSteps.Position position =
        RolloutSteps.current(input.nodeDaemon(), input.updateRevision(), rollingBack, input.now());
    PodPlan plan =
        PodPlanner.plan(input, new PodPlanner.Limits(position.step(), rollingBack, retrying));
    RolloutAssessor.Assessment rollout =
        RolloutAssessor.assess(input, plan.rollout(), plan.gates(), position, lastRollback);
    boolean markBad = plan.gates().failed();
    return new Decision(
        plan,
        rollout,
        rollingBack,
        markBad,
        markBad && RolloutAssessor.gateAction(input.nodeDaemon()) == GateFailureAction.Rollback,
        earliest(plan.requeueAfter(), rollout.requeueAfter()));
  }

  private static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return Optional.of(a.get().compareTo(b.get()) <= 0 ? a.get() : b.get());
  }
}
