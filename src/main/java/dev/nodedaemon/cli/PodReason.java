package dev.nodedaemon.cli;

import dev.nodedaemon.observe.DaemonPods;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Why a daemon pod is not serving, in the words of the kubelet and scheduler, most telling first:
 * Terminating, PodFailed, OOMKilled (a container's last exit), a container waiting reason
 * (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, ...), Unschedulable (PodScheduled), Pending,
 * NotReady. Empty when the pod is ready.
 */
record PodReason(String reason, String message) {

  static final PodReason NONE = new PodReason("", "");

  static PodReason of(Pod pod) {
    if (DaemonPods.isTerminating(pod)) {
      return new PodReason("Terminating", "");
    }
    if (DaemonPods.isFailed(pod)) {
      return new PodReason(
          "PodFailed", text(pod.getStatus().getReason(), pod.getStatus().getMessage()));
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    if (pod.getStatus() != null) {
      if (pod.getStatus().getInitContainerStatuses() != null) {
        statuses.addAll(pod.getStatus().getInitContainerStatuses());
      }
      if (pod.getStatus().getContainerStatuses() != null) {
        statuses.addAll(pod.getStatus().getContainerStatuses());
      }
    }
    boolean ready = DaemonPods.isReady(pod);
    for (ContainerStatus status : statuses) {
      ContainerStateTerminated last =
          status.getLastState() == null ? null : status.getLastState().getTerminated();
      if (!ready && last != null && "OOMKilled".equals(last.getReason())) {
        return new PodReason(
            "OOMKilled",
            status.getName()
                + " exited "
                + last.getExitCode()
                + ", restarts "
                + status.getRestartCount());
      }
    }
    for (ContainerStatus status : statuses) {
      if (status.getState() != null
          && status.getState().getWaiting() != null
          && status.getState().getWaiting().getReason() != null) {
        return new PodReason(
            status.getState().getWaiting().getReason(),
            text(status.getName(), status.getState().getWaiting().getMessage()));
      }
    }
    Optional<PodCondition> scheduled = condition(pod, "PodScheduled");
    if (scheduled.isPresent() && "False".equals(scheduled.get().getStatus())) {
      return new PodReason(
          Optional.ofNullable(scheduled.get().getReason()).orElse("Unschedulable"),
          Optional.ofNullable(scheduled.get().getMessage()).orElse(""));
    }
    if (pod.getStatus() == null || "Pending".equals(pod.getStatus().getPhase())) {
      return new PodReason("Pending", "");
    }
    if (!ready) {
      return new PodReason(
          "NotReady",
          condition(pod, "Ready").map(c -> text(c.getReason(), c.getMessage())).orElse(""));
    }
    return NONE;
  }

  /** "ready/total" containers, as kubectl get pods shows READY. */
  static String readyCount(Pod pod) {
    int total = pod.getSpec() == null ? 0 : pod.getSpec().getContainers().size();
    long ready =
        pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
            ? 0
            : pod.getStatus().getContainerStatuses().stream()
                .filter(s -> Boolean.TRUE.equals(s.getReady()))
                .count();
    return ready + "/" + total;
  }

  private static Optional<PodCondition> condition(Pod pod, String type) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  private static String text(String first, String second) {
    if (first == null || first.isEmpty()) {
      return second == null ? "" : second;
    }
    return second == null || second.isEmpty() ? first : first + ": " + second;
  }
}
