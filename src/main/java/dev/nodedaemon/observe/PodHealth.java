package dev.nodedaemon.observe;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a daemon pod is not available, in the words the kubelet and scheduler use, so that a stuck
 * rollout can name its cause.
 */
public final class PodHealth {

  private PodHealth() {}

  /** A reason and the detail behind it. */
  public record Problem(String reason, String message) {}

  /**
   * Container waiting reasons that no amount of waiting fixes by itself: the image or the config is
   * wrong, or the process keeps dying.
   */
  public static final Set<String> HARD_WAITING_REASONS =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "ErrImageNeverPull",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  /**
   * The most telling problem of a pod that is not ready, in this order: unschedulable, failed, a
   * container's hard waiting reason, a container last killed for memory, any other waiting reason,
   * not ready.
   */
  public static Problem problemOf(Pod pod) {
    if (pod.getStatus() == null) {
      return new Problem("Pending", "the pod has no status yet");
    }
    Optional<PodCondition> scheduled = condition(pod, "PodScheduled");
    if (scheduled.isPresent() && "False".equals(scheduled.get().getStatus())) {
      return new Problem(
          Optional.ofNullable(scheduled.get().getReason()).orElse("Unschedulable"),
          Optional.ofNullable(scheduled.get().getMessage()).orElse(""));
    }
    if (DaemonPods.isFailed(pod)) {
      return new Problem(
          "PodFailed", Optional.ofNullable(pod.getStatus().getMessage()).orElse("phase Failed"));
    }
    List<ContainerStatus> statuses = containerStatuses(pod);
    for (ContainerStatus status : statuses) {
      String waiting = waitingReason(status);
      if (waiting != null && HARD_WAITING_REASONS.contains(waiting)) {
        if ("CrashLoopBackOff".equals(waiting)
            && lastTerminatedReason(status).equals("OOMKilled")) {
          return new Problem(
              "OOMKilled", containerMessage(status, "killed for memory, restarting"));
        }
        return new Problem(waiting, containerMessage(status, waitingMessage(status)));
      }
    }
    for (ContainerStatus status : statuses) {
      String waiting = waitingReason(status);
      if (waiting != null) {
        return new Problem(waiting, containerMessage(status, waitingMessage(status)));
      }
    }
    Optional<PodCondition> ready = condition(pod, "Ready");
    String detail =
        ready
            .map(c -> c.getReason() == null ? "" : c.getReason())
            .filter(r -> !r.isEmpty())
            .orElse("not ready");
    return new Problem("NotReady", detail);
  }

  private static String containerMessage(ContainerStatus status, String detail) {
    String restarts =
        status.getRestartCount() != null && status.getRestartCount() > 0
            ? " (" + status.getRestartCount() + " restarts)"
            : "";
    return "container " + status.getName() + ": " + detail + restarts;
  }

  private static String waitingReason(ContainerStatus status) {
    return status.getState() == null || status.getState().getWaiting() == null
        ? null
        : status.getState().getWaiting().getReason();
  }

  private static String waitingMessage(ContainerStatus status) {
    String message = status.getState().getWaiting().getMessage();
    return message == null || message.isEmpty() ? waitingReason(status) : message;
  }

  private static String lastTerminatedReason(ContainerStatus status) {
    return status.getLastState() == null
            || status.getLastState().getTerminated() == null
            || status.getLastState().getTerminated().getReason() == null
        ? ""
        : status.getLastState().getTerminated().getReason();
  }

  private static List<ContainerStatus> containerStatuses(Pod pod) {
    return pod.getStatus().getContainerStatuses() == null
        ? List.of()
        : pod.getStatus().getContainerStatuses();
  }

  private static Optional<PodCondition> condition(Pod pod, String type) {
    return pod.getStatus().getConditions() == null
        ? Optional.empty()
        : pod.getStatus().getConditions().stream()
            .filter(c -> type.equals(c.getType()))
            .findFirst();
  }
}
