package dev.nodedaemon.api;

/** How a node's pod moves to a new revision. */
public enum PodUpdatePolicy {
  /** Delete the old pod and create a new one (the built-in DaemonSet's only way). */
  Recreate,
  /**
   * When only container images changed, patch the running pod's images so the kubelet restarts its
   * containers in place; any other change is a recreate.
   */
  InPlaceIfPossible
}
