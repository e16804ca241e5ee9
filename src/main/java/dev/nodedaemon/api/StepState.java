package dev.nodedaemon.api;

/** Where the current step of a staged rollout stands. */
public enum StepState {
  /** The step's nodes are moving to the new revision. */
  Rolling,
  /** The step's nodes run the new revision, healthy; it promotes itself when the soak ends. */
  Soaking,
  /** The step's nodes run the new revision, healthy; it waits for a promote. */
  WaitingForPromote
}
