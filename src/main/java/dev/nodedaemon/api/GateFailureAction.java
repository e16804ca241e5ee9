package dev.nodedaemon.api;

/** What the operator does when a rollout's health gates fail. */
public enum GateFailureAction {
  /** Restore the last revision that completed, on the nodes that left it. */
  Rollback,
  /** Hold the rollout where it is: no further node is updated. */
  Pause
}
