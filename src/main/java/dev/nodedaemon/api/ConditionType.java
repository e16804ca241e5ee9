package dev.nodedaemon.api;

/** The types of a NodeDaemon's status conditions. */
public enum ConditionType {
  /** Every node that should run the pod has an available one. */
  Available,
  /** A rollout is moving (true) or why it is not (false, with the reason). */
  Progressing,
  /** The rollout reached every node it should. */
  Complete,
  /** Nothing is replaced: spec.paused, a step waiting for a promote, or a hold (reason says). */
  Paused,
  /** The rollout failed: its progress deadline passed, or its health gates failed. */
  Failed,
  /** spec.frozen: the operator makes no pod write at all. */
  Frozen,
  /** kstatus: the NodeDaemon is not yet at its desired state (a rollout moves). */
  Reconciling,
  /** kstatus: the NodeDaemon cannot reach its desired state without help (a failed rollout). */
  Stalled,
  /** The last reconcile's writes, or the reconcile itself, failed. */
  ReconcileError
}
