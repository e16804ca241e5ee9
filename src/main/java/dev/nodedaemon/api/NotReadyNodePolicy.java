package dev.nodedaemon.api;

/** How a rolling update treats nodes that are NotReady before the update reaches them. */
public enum NotReadyNodePolicy {
  /**
   * Leave them out until they are Ready again: they neither use the budget nor hold the rollout
   * back, and are updated when they come back.
   */
  Skip,
  /**
   * The built-in DaemonSet's way: their pods are unavailable, so they are replaced at once, outside
   * the budget (in strict mode, inside it), and a node that never comes back holds the rollout.
   */
  Update
}
