package dev.nodedaemon.cli;

import dev.nodedaemon.api.BlockingNode;
import dev.nodedaemon.api.ConditionType;
import dev.nodedaemon.api.GateFailure;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.api.StepState;
import dev.nodedaemon.plan.EventReason;
import dev.nodedaemon.plan.RolloutAssessor;
import dev.nodedaemon.revision.Rollbacks;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where a NodeDaemon's rollout stands, as {@code status} reports it. Pure: the command watches the
 * NodeDaemon and asks this after every change. It reads what the operator decided (phase,
 * conditions, status.rollout's target, step and gate verdicts) and computes none of it again.
 *
 * <ol>
 *   <li>A status whose observedGeneration is behind metadata.generation describes an older spec:
 *       nothing in it is trusted ("waiting for the spec update to be observed"). Nor is it while
 *       spec.rollbackTo waits for the operator to restore a template.
 *   <li>When the operator fills in status.phase, the phase decides: Complete and Failed end the
 *       wait; a Failed condition counts as Failed too, and so does a rollout the operator holds
 *       until someone acts ({@link #HOLDS}: a failed health gate with onFailure Pause, a revision
 *       marked bad, a pod template the API server rejects, a spec that cannot work).
 *   <li>Frozen (spec.frozen) and a step that waits for a promote are paused: they wait for a
 *       person, not for pods.
 *   <li>A staged rollout counts against its current step's nodes (status.rollout.stepNodes); any
 *       other against status.rollout.targetNodes, the nodes the operator says the rollout should
 *       reach (after partition, update node selector and skipped NotReady nodes).
 *   <li>Without a phase (an operator from before phases), the counters decide, as kubectl's
 *       DaemonSet status viewer does: complete when every node is updated and available.
 * </ol>
 */
record RolloutState(Result result, String message) {

  enum Result {
    /** The operator has not yet seen the latest spec, or pods are still moving. */
    WAITING,
    /** spec.paused, spec.frozen or a step waiting for a promote holds the rollout. */
    PAUSED,
    COMPLETE,
    FAILED
  }

  /**
   * Reasons of a Paused (true) or Progressing (false) condition for a rollout that no pod event
   * will move on: someone must change the spec, retry or undo. {@code status} fails on them.
   */
  static final Set<String> HOLDS =
      Set.of(
          EventReason.HealthGateFailed.name(),
          EventReason.RevisionMarkedBad.name(),
          EventReason.PodTemplateRejected.name(),
          RolloutAssessor.INVALID_SPEC);

  boolean done() {
    return result == Result.COMPLETE || result == Result.FAILED;
  }

  static RolloutState of(NodeDaemon nodeDaemon) {
    return of(nodeDaemon, Instant.now());
  }

  static RolloutState of(NodeDaemon nodeDaemon, Instant now) {
    String name = nodeDaemon.getMetadata().getName();
    NodeDaemonStatus status = nodeDaemon.getStatus();
    Long generation = nodeDaemon.getMetadata().getGeneration();
    if (status == null
        || status.getObservedGeneration() == null
        || (generation != null && status.getObservedGeneration() < generation)) {
      return new RolloutState(
          Result.WAITING, "Waiting for node daemon spec update to be observed...");
    }
    if (nodeDaemon.getSpec().getRollbackTo() != null) {
      Long to = nodeDaemon.getSpec().getRollbackTo().getRevision();
      return new RolloutState(
          Result.WAITING,
          "Waiting for the operator to roll node daemon \""
              + name
              + "\" back to "
              + (to == null || to == 0 ? "the previous revision" : "revision " + to)
              + "...");
    }
    int desired = count(status.getDesiredNumberScheduled());
    int updated = count(status.getUpdatedNumberScheduled());
    int available = count(status.getNumberAvailable());
    int updatedAvailable = updatedAvailable(status);
    RolloutPhase phase = status.getPhase();
    if (phase == RolloutPhase.Failed || conditionTrue(status, ConditionType.Failed)) {
      return new RolloutState(Result.FAILED, failedMessage(name, status));
    }
    if (phase == RolloutPhase.Complete) {
      // Complete, but on the revision the operator restored after the change failed: for whoever
      // made the change, the rollout failed.
      Optional<RollbackRecord> rolledBack = automaticRollback(status);
      if (rolledBack.isPresent()) {
        return new RolloutState(Result.FAILED, rolledBackMessage(name, rolledBack.get()));
      }
      return new RolloutState(
          Result.COMPLETE,
          "node daemon \""
              + name
              + "\" successfully rolled out"
              + (frozen(nodeDaemon)
                  ? "; it is frozen: no pod is created, deleted or updated, not even on a node"
                      + " that joins (lift it with: kubectl nodedaemon unfreeze "
                      + name
                      + ")"
                  : ""));
    }
    // Held until someone acts: waiting would only hang a pipeline. Reported as a failure with the
    // operator's reason.
    Optional<Condition> held = hold(status);
    if (held.isPresent()) {
      return new RolloutState(Result.FAILED, heldMessage(name, held.get()));
    }
    String what = phase == RolloutPhase.RollingBack ? "rollback" : "rollout";
    if (frozen(nodeDaemon)) {
      return new RolloutState(
          Result.PAUSED,
          "node daemon \""
              + name
              + "\" is frozen: no pod is created, deleted or updated; "
              + updated
              + " out of "
              + desired
              + " pods run the update revision (lift it with: kubectl nodedaemon unfreeze "
              + name
              + ")");
    }
    Optional<StepView> step = StepView.of(nodeDaemon);
    if (step.isPresent() && step.get().state() == StepState.WaitingForPromote) {
      return new RolloutState(
          Result.PAUSED,
          "node daemon \""
              + name
              + "\" "
              + what
              + " "
              + step.get().describe(now)
              + " (continue it with: kubectl nodedaemon promote "
              + name
              + ")");
    }
    if (phase == RolloutPhase.Paused
        || (phase == null && Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused()))) {
      return new RolloutState(
          Result.PAUSED,
          "node daemon \""
              + name
              + "\" "
              + what
              + " is paused: "
              + step.map(s -> s.label() + ", ").orElse("")
              + updated
              + " out of "
              + desired
              + " new pods have been updated (continue it with: kubectl nodedaemon resume "
              + name
              + ")");
    }
    if (step.isPresent()) {
      StepView at = step.get();
      if (at.state() == StepState.Soaking) {
        return waiting(name, what, at.describe(now));
      }
      int stepNodes = at.stepNodes() == null ? target(status) : at.stepNodes();
      if (updated < stepNodes) {
        return waiting(
            name,
            what,
            at.label()
                + ", "
                + updated
                + " out of "
                + stepNodes
                + " new pods have been updated...");
      }
      if (updatedAvailable < stepNodes) {
        return waiting(
            name,
            what,
            at.label()
                + ", "
                + updatedAvailable
                + " of "
                + stepNodes
                + " updated pods are available...");
      }
      return waiting(name, what, at.label() + ", phase " + phase + "...");
    }
    int target = target(status);
    if (updated < target) {
      return waiting(name, what, updated + " out of " + target + " new pods have been updated...");
    }
    if (updatedAvailable < target || available < desired) {
      return waiting(
          name,
          what,
          Math.min(updatedAvailable, available)
              + " of "
              + desired
              + " updated pods are available...");
    }
    if (phase == null) {
      return new RolloutState(
          Result.COMPLETE, "node daemon \"" + name + "\" successfully rolled out");
    }
    return waiting(name, what, "phase " + phase + "...");
  }

  /** spec.frozen, as the operator reports it (the Frozen condition) or as the spec asks. */
  static boolean frozen(NodeDaemon nodeDaemon) {
    return conditionTrue(nodeDaemon.getStatus(), ConditionType.Frozen)
        || Boolean.TRUE.equals(nodeDaemon.getSpec().getFrozen());
  }

  /**
   * The nodes the rollout should reach, as the operator reports them (status.rollout.targetNodes);
   * an operator from before that field reached every node it should run on.
   */
  static int target(NodeDaemonStatus status) {
    RolloutProgress rollout = status.getRollout();
    return rollout != null && rollout.getTargetNodes() != null
        ? rollout.getTargetNodes()
        : count(status.getDesiredNumberScheduled());
  }

  /**
   * The operator's own rollback (after failed health gates or a missed progress deadline), when the
   * current rollout is that rollback; not one a person asked for with undo.
   */
  static Optional<RollbackRecord> automaticRollback(NodeDaemonStatus status) {
    RolloutProgress rollout = status.getRollout();
    RollbackRecord last = status.getLastRollback();
    if (rollout == null
        || !Boolean.TRUE.equals(rollout.getRollback())
        || last == null
        || Rollbacks.REQUESTED.equals(last.getReason())
        || !Objects.equals(last.getRevisionHash(), status.getUpdateRevision())) {
      return Optional.empty();
    }
    return Optional.of(last);
  }

  private static String rolledBackMessage(String name, RollbackRecord rollback) {
    String why =
        switch (Objects.requireNonNullElse(rollback.getReason(), "")) {
          case "HealthGateFailed" -> "failed its health gates";
          case Rollbacks.PROGRESS_DEADLINE_EXCEEDED -> "exceeded its progress deadline";
          default -> "failed (" + rollback.getReason() + ")";
        };
    return "node daemon \""
        + name
        + "\" rollout failed: revision "
        + rollback.getFromRevision()
        + " "
        + why
        + " and the operator rolled back to revision "
        + rollback.getToRevision()
        + " (see: kubectl nodedaemon history "
        + name
        + ")";
  }

  /** The condition that says the operator holds the rollout until someone acts, if it does. */
  static Optional<Condition> hold(NodeDaemonStatus status) {
    return condition(status, ConditionType.Paused)
        .filter(c -> "True".equals(c.getStatus()) && HOLDS.contains(c.getReason()))
        .or(
            () ->
                condition(status, ConditionType.Progressing)
                    .filter(c -> "False".equals(c.getStatus()) && HOLDS.contains(c.getReason())));
  }

  private static String heldMessage(String name, Condition held) {
    String why =
        held.getMessage() == null || held.getMessage().isEmpty()
            ? held.getReason()
            : held.getMessage();
    String hint =
        (EventReason.RevisionMarkedBad.name().equals(held.getReason())
                    || EventReason.HealthGateFailed.name().equals(held.getReason()))
                && !why.contains("kubectl nodedaemon retry")
            ? " (change the template, or roll it out again with: kubectl nodedaemon retry "
                + name
                + ")"
            : "";
    return "node daemon \"" + name + "\" rollout is held: " + why + hint;
  }

  private static RolloutState waiting(String name, String what, String detail) {
    return new RolloutState(
        Result.WAITING,
        "Waiting for node daemon \"" + name + "\" " + what + " to finish: " + detail);
  }

  private static String failedMessage(String name, NodeDaemonStatus status) {
    String reason =
        condition(status, ConditionType.Failed)
            .filter(c -> "True".equals(c.getStatus()))
            .or(() -> condition(status, ConditionType.Progressing))
            .map(c -> c.getMessage() == null ? c.getReason() : c.getMessage())
            .orElse(null);
    return "node daemon \"" + name + "\" rollout failed" + (reason == null ? "" : ": " + reason);
  }

  /**
   * Reasons every node shows for a moment while its pod is replaced; a progress report names a
   * blocking node only for the other reasons (a crash loop, an image that cannot be pulled, no room
   * on the node), and a failed rollout names them all.
   */
  private static final Set<String> IN_PASSING =
      Set.of("PodMissing", "NotReady", "Pending", "ContainerCreating");

  /** The blocking nodes as indented lines: {@code node-3: CrashLoopBackOff (message)}. */
  static List<String> blockingLines(NodeDaemonStatus status, boolean all) {
    List<BlockingNode> blocking =
        status == null || status.getBlockingNodes() == null ? List.of() : status.getBlockingNodes();
    return blocking.stream()
        .filter(b -> all || !IN_PASSING.contains(b.getReason()))
        .map(
            b ->
                "  "
                    + b.getNode()
                    + ": "
                    + b.getReason()
                    + (b.getMessage() == null || b.getMessage().isEmpty()
                        ? ""
                        : " (" + b.getMessage() + ")"))
        .toList();
  }

  /**
   * The health gates' verdict from status.rollout: a header with the operator's threshold, then one
   * line per failed node ({@code node-0: CrashLoopBackOff (pod agent-x: back-off 10s)}). Empty
   * while no node failed.
   */
  static List<String> gateLines(NodeDaemonStatus status) {
    RolloutProgress rollout = status == null ? null : status.getRollout();
    int failed = rollout == null ? 0 : count(rollout.getFailedNodes());
    if (failed == 0) {
      return List.of();
    }
    List<GateFailure> failures =
        rollout.getGateFailures() == null ? List.of() : rollout.getGateFailures();
    List<String> lines = new ArrayList<>();
    lines.add(
        "Health gates failed on "
            + failed
            + (failed == 1 ? " node" : " nodes")
            + (rollout.getFailedNodesThreshold() == null
                ? ""
                : " (threshold " + rollout.getFailedNodesThreshold() + ")")
            + ":");
    for (GateFailure failure : failures) {
      String detail =
          Stream.of(
                  failure.getPod() == null ? null : "pod " + failure.getPod(),
                  failure.getMessage() == null || failure.getMessage().isEmpty()
                      ? null
                      : failure.getMessage())
              .filter(Objects::nonNull)
              .collect(Collectors.joining(": "));
      lines.add(
          "  "
              + failure.getNode()
              + ": "
              + failure.getReason()
              + (detail.isEmpty() ? "" : " (" + detail + ")"));
    }
    if (failures.size() < failed) {
      lines.add("  and " + (failed - failures.size()) + " more");
    }
    return lines;
  }

  /** Nodes on the update revision whose pod is available; older operators did not report it. */
  static int updatedAvailable(NodeDaemonStatus status) {
    return status.getUpdatedNumberAvailable() != null
        ? status.getUpdatedNumberAvailable()
        : Math.min(count(status.getUpdatedNumberScheduled()), count(status.getNumberAvailable()));
  }

  private static int count(Integer value) {
    return value == null ? 0 : value;
  }

  static boolean conditionTrue(NodeDaemonStatus status, ConditionType type) {
    return condition(status, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  static Optional<Condition> condition(NodeDaemonStatus status, ConditionType type) {
    return status == null || status.getConditions() == null
        ? Optional.empty()
        : status.getConditions().stream().filter(c -> type.name().equals(c.getType())).findFirst();
  }
}
