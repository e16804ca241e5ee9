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
    /** The API server refuses the pod as it is (invalid, forbidden by admission): not transient. */
    REFUSED,
    FAILED
  }

  record Result(Outcome outcome, String message) {
    public static final Result DONE = new Result(Outcome.DONE, "");
  }

  Result create(Pod pod);

  /**
   * Asks the API server whether it would create the pod (a server-side dry run: validation and
   * admission, nothing stored). DONE when it would, REFUSED with its message when it would not,
   * FAILED when the question could not be asked.
   */
  Result dryRunCreate(Pod pod);

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

  /**
   * Takes over a pod that matches the selector and has no controller, as the built-in does.
   *
   * @param revision the revision label to give it, when it runs the current template; null keeps
   *     its own (another revision's, or none: it counts as old)
   */
  Result adopt(
      Pod pod,
      io.fabric8.kubernetes.api.model.OwnerReference owner,
      String nodeDaemonName,
      String revision);
}
