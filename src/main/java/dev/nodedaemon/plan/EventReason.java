package dev.nodedaemon.plan;

/**
 * Reasons of the rollout's events beyond the built-in controller's pod events (SuccessfulCreate,
 * SuccessfulDelete, FailedCreate, ...): one constant per step of a staged, gated rollout.
 */
public enum EventReason {
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
