package dev.nodedaemon.plan;

import dev.nodedaemon.api.PodLabels;
import dev.nodedaemon.api.PrePull;
import dev.nodedaemon.observe.DaemonPods;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Image pre-pull ({@code rollingUpdate.prePull}): which pre-pull pods to create and delete, and
 * which nodes have the update revision's images. Pure.
 *
 * <p>Invariants:
 *
 * <ol>
 *   <li>With pre-pull on, a node's working (available) old pod is replaced (deleted, patched in
 *       place, or joined by a surge pod) only once the node has a ready pre-pull pod of the update
 *       revision: the kubelet pulled every image of it. Nodes go in rollout order; the first one
 *       still pulling holds the ones after it, so the order stays deterministic. A node whose old
 *       pod is already broken is replaced at once, as without pre-pull.
 *   <li>Pre-pull pods are wanted on the window: the first {@code nodesAhead} nodes, in rollout
 *       order, that the update may still start (on an old revision, available, admitted by
 *       partition, steps and the update node selector), across group boundaries. At most {@code
 *       maxConcurrent} of them pull (exist, not ready) at once, so at most {@code nodesAhead}
 *       exist.
 *   <li>A pre-pull pod is deleted as soon as its node leaves the window: its pod was replaced (or
 *       is being), it left the rollout, the pod pulls another revision than the update revision, or
 *       pre-pull was turned off. A pull that fails stays, visible, while its revision is the update
 *       revision; it is the gates' subject (a health gate failure with the pull reason) and holds
 *       the rollout before that node's working pod is touched.
 *   <li>No pre-pull pod is created while the update is held (paused, frozen, a hold) or outside a
 *       rolling update; deletions of pods no longer wanted go on.
 * </ol>
 *
 * @param creates nodes to create the update revision's pre-pull pod on
 * @param deletes pre-pull pods to delete
 * @param pulled nodes with a ready pre-pull pod of the update revision
 * @param pulling the update revision's pre-pull pods not ready yet, by node: the gates check them
 */
public record PrePullPlanner(
    List<String> creates, List<Pod> deletes, Set<String> pulled, Map<String, Pod> pulling) {

  public static final PrePullPlanner NONE =
      new PrePullPlanner(List.of(), List.of(), Set.of(), Map.of());

  /** Waiting reasons of a pull that failed. */
  public static final Set<String> PULL_FAILURES =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

  /**
   * The update revision's pre-pull pods whose pull failed, by node: the health gates' subjects
   * (invariant 3). Pods still pulling are not: a slow pull is the progress deadline's business.
   */
  public Map<String, Pod> failedPulls() {
    Map<String, Pod> failed = new HashMap<>();
    pulling.forEach(
        (node, pod) -> {
          boolean pullFailed =
              pod.getStatus() != null
                  && pod.getStatus().getContainerStatuses() != null
                  && pod.getStatus().getContainerStatuses().stream()
                      .anyMatch(
                          c ->
                              c.getState() != null
                                  && c.getState().getWaiting() != null
                                  && PULL_FAILURES.contains(c.getState().getWaiting().getReason()));
          if (pullFailed) {
            failed.put(node, pod);
          }
        });
    return failed;
  }

  /** The same plan without creates: the update is held (invariant 4). */
  PrePullPlanner withoutCreates() {
    return creates.isEmpty() ? this : new PrePullPlanner(List.of(), deletes, pulled, pulling);
  }

  /** Whether the rollout may replace the node's working pod (invariant 1). */
  public boolean mayReplace(String node) {
    return pulled.contains(node);
  }

  /**
   * @param settings rollingUpdate.prePull, null when off
   * @param eligible the nodes in the rollout, in rollout order
   */
  static PrePullPlanner plan(
      PlanInput input,
      PrePull settings,
      List<RollingUpdatePlanner.NodePods> eligible,
      RollingUpdatePlanner.Budget budget) {
    List<Pod> existing = input.prePullPods();
    if (settings == null) {
      List<Pod> stale = new ArrayList<>();
      for (Pod pod : existing) {
        if (!DaemonPods.isTerminating(pod)) {
          stale.add(pod);
        }
      }
      return stale.isEmpty() ? NONE : new PrePullPlanner(List.of(), stale, Set.of(), Map.of());
    }
    Set<String> window = new LinkedHashSet<>();
    for (RollingUpdatePlanner.NodePods n :
        RollingUpdatePlanner.admit(eligible, budget, input.creationsInFlight())) {
      if (window.size() == settings.nodesAheadOrDefault()) {
        break;
      }
      if (n.updated() == null
          && n.old() != null
          && !input.creationsInFlight().contains(n.node())
          && input.isAvailable(n.old())) {
        window.add(n.node());
      }
    }
    List<Pod> deletes = new ArrayList<>();
    Set<String> pulled = new HashSet<>();
    Map<String, Pod> pulling = new HashMap<>();
    Set<String> present = new HashSet<>();
    for (Pod pod : existing) {
      if (DaemonPods.isTerminating(pod)) {
        continue;
      }
      String node = DaemonPods.targetNode(pod).orElse("");
      boolean current =
          input
              .updateRevision()
              .equals(pod.getMetadata().getLabels().get(PodLabels.PREPULL_REVISION_LABEL));
      if (!current || !window.contains(node) || !present.add(node)) {
        deletes.add(pod);
      } else if (DaemonPods.isReady(pod)) {
        pulled.add(node);
      } else {
        pulling.put(node, pod);
      }
    }
    List<String> creates = new ArrayList<>();
    int room = settings.maxConcurrentOrDefault() - pulling.size();
    for (String node : window) {
      if (room <= 0) {
        break;
      }
      if (!present.contains(node)) {
        creates.add(node);
        room--;
      }
    }
    return new PrePullPlanner(creates, deletes, pulled, pulling);
  }
}
