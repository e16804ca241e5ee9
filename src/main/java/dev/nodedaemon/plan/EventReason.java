package dev.nodedaemon.plan;

/**
 * Reasons of the rollout's events, beyond the built-in controller's pod events (SuccessfulCreate,
 * SuccessfulDelete, FailedCreate, ...): one constant for every step a rollout can take.
 */
public enum EventReason {
  /** A new update revision begins to roll out. */
  RolloutStarted,
  /** A revision a rollback restored begins to roll out. */
  RollbackStarted,
  /** Every node the rollout should reach runs the update revision, available. */
  RolloutComplete,
  /** A rollback's revision runs on every node it should, available (after RolloutComplete). */
  RollbackComplete,
  /** spec.paused stopped the rollout. */
  RolloutPaused,
  /** The rollout moves again after a pause. */
  RolloutResumed,
  /** No progress within progressDeadlineSeconds (warning). */
  ProgressDeadlineExceeded,
  /** The spec cannot work as it is, such as a surge with host ports (warning). */
  InvalidSpec,
  /** A step of a staged rollout began exposing the update revision to more nodes. */
  StepStarted,
  /** A step's nodes run the update revision, healthy; it soaks before it promotes itself. */
  StepSoaking,
  /** A step's nodes run the update revision, healthy; it waits for a promote. */
  StepWaitingForPromote,
  /** A step is done and the next one begins. */
  StepCompleted,
  /** A promote request moved the rollout on. */
  StepPromoted,
  /**
   * The rollout order (rollingUpdate.order) moved to a group: a priority pool and/or a topology
   * domain; only its nodes start updating until it completes.
   */
  DomainStarted,
  /** Every node of a group of the rollout order runs the update revision, available. */
  DomainCompleted,
  /** A node's updated pod failed a health gate (warning). */
  HealthGateFailed,
  /** Enough nodes failed their gates: the rollout stops (warning). */
  RolloutHalted,
  /** The update revision is marked bad and is not rolled out (warning). */
  RevisionMarkedBad,
  /** spec.retry cleared a revision's bad mark. */
  RevisionRetried,
  /** The API server refuses the update revision's pods; no pod is replaced (warning). */
  PodTemplateRejected,
  /** spec.frozen: no pod write at all. */
  Frozen,
  /** spec.frozen was lifted. */
  Unfrozen
}
