package dev.nodedaemon.api;

/** What the operator does when a rollout fails (its progress deadline passes). */
public enum FailurePolicy {
  /** Stop where it is: no further pod is replaced until the template changes or a rollback. */
  Halt,
  /** Roll back to the revision the fleet ran before the failed rollout. */
  Rollback
}
