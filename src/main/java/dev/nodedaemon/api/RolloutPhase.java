package dev.nodedaemon.api;

/**
 * Where a NodeDaemon's rollout stands. Which phase may follow which is the plan package's
 * PhaseTransitions table.
 */
public enum RolloutPhase {
  /** Pods are moving to the update revision and the deadline has not passed. */
  Progressing,
  /** spec.paused is true: pods are created on new nodes but none is replaced. */
  Paused,
  /** Every node that may run the update revision runs it, available; nothing left to do. */
  Complete,
  /** No progress within progressDeadlineSeconds; status.blockingNodes says where and why. */
  Failed,
  /** Pods are moving back to a revision restored by a rollback. */
  RollingBack
}
