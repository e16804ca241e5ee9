package dev.nodedaemon.apply;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The only way NodeDaemon changes pods. Small on purpose: tests record what the operator would do
 * through it, as the built-in controller's tests do with their fake pod control.
 */
public interface PodWriter {

  /** What happened to a write. */
  enum Outcome {
    DONE,
    /** A pod of that name exists (an earlier create, or a pod still terminating): not an error. */
    ALREADY_EXISTS,
    /** The pod was already gone. */
    NOT_FOUND,
    /** The pod changed since it was read; the next reconcile decides again. */
    CONFLICT,
    FAILED
  }

  record Result(Outcome outcome, String message) {
    public static final Result DONE = new Result(Outcome.DONE, "");
  }

  Result create(Pod pod);

  /** Deletes the pod if it is still the version that was planned on. */
  Result delete(Pod pod);

  /**
   * Deletes a pod whose node is missing from the operator's cache, but only once a live read finds
   * the node gone (else {@link Outcome#CONFLICT}: the cache is behind); with the usual grace.
   */
  Result deleteOrphan(Pod pod);

  /**
   * Patches the pod's container images and revision label, if it is still the version that was
   * planned on; the kubelet restarts the changed containers.
   */
  Result updateInPlace(dev.nodedaemon.plan.PodPlan.InPlacePatch patch);

  /** Takes over a pod that matches the selector and has no controller, as the built-in does. */
  Result adopt(
      Pod pod, io.fabric8.kubernetes.api.model.OwnerReference owner, String nodeDaemonName);
}
