package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodLabels;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.plan.PrePullPlanner;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Image pre-pull (rollingUpdate.prePull) as the plugin shows it: the state of each pre-pull pod the
 * operator created for the update revision, read from the pods (labels {@link
 * PodLabels#PREPULL_LABEL} and {@link PodLabels#PREPULL_REVISION_LABEL}). Nothing is recomputed:
 * which nodes get a pre-pull pod is the operator's decision; a pod is pulled when Ready, failed
 * when a container waits with one of the operator's own pull-failure reasons, pulling otherwise.
 * Pods of another revision and terminating pods are on their way out and not shown. Pure.
 */
final class PrePullView {

  private PrePullView() {}

  /** One node's pre-pull: state is pulled, pulling or failed; reason only when failed. */
  record Pull(String node, String pod, String state, String reason, String message) {

    /** "pulled", "pulling", "failed (ErrImagePull)": the nodes table's PREPULL cell. */
    String cell() {
      return reason == null ? state : state + " (" + reason + ")";
    }
  }

  /** Whether rollingUpdate.prePull is set. */
  static boolean on(NodeDaemon nodeDaemon) {
    var strategy = nodeDaemon.getSpec().getUpdateStrategy();
    return strategy != null
        && strategy.getRollingUpdate() != null
        && strategy.getRollingUpdate().getPrePull() != null;
  }

  /** The update revision's pre-pull pods, by node (sorted by node name). */
  static Map<String, Pull> of(List<Pod> prePullPods, String updateRevision) {
    Map<String, Pull> pulls = new TreeMap<>();
    if (updateRevision == null) {
      return pulls;
    }
    for (Pod pod : prePullPods) {
      Map<String, String> labels = pod.getMetadata().getLabels();
      if (DaemonPods.isTerminating(pod)
          || labels == null
          || !updateRevision.equals(labels.get(PodLabels.PREPULL_REVISION_LABEL))) {
        continue;
      }
      String node = DaemonPods.targetNode(pod).orElse("<none>");
      String name = pod.getMetadata().getName();
      PodReason reason = PodReason.of(pod);
      Pull pull;
      if (DaemonPods.isReady(pod)) {
        pull = new Pull(node, name, "pulled", null, null);
      } else if (PrePullPlanner.PULL_FAILURES.contains(reason.reason())) {
        pull = new Pull(node, name, "failed", reason.reason(), reason.message());
      } else {
        pull = new Pull(node, name, "pulling", null, null);
      }
      pulls.put(node, pull);
    }
    return pulls;
  }

  /**
   * "Pre-pull (nodes ahead of the front): 1 pulled, 1 pulling, 1 failed on node-3: ErrImagePull
   * (prepull: ...)"; "Pre-pull (nodes ahead of the front): none" when no pre-pull pod exists.
   */
  static String line(Map<String, Pull> pulls) {
    long pulled = pulls.values().stream().filter(p -> p.state().equals("pulled")).count();
    long pulling = pulls.values().stream().filter(p -> p.state().equals("pulling")).count();
    List<Pull> failed = pulls.values().stream().filter(p -> p.state().equals("failed")).toList();
    List<String> parts = new ArrayList<>();
    if (pulled > 0) {
      parts.add(pulled + " pulled");
    }
    if (pulling > 0) {
      parts.add(pulling + " pulling");
    }
    if (!failed.isEmpty()) {
      Pull first = failed.get(0);
      parts.add(
          failed.size()
              + " failed on "
              + String.join(", ", failed.stream().map(Pull::node).toList())
              + ": "
              + first.reason()
              + (first.message() == null || first.message().isEmpty()
                  ? ""
                  : " (" + first.message() + ")"));
    }
    return "Pre-pull (nodes ahead of the front): "
        + (parts.isEmpty() ? "none" : String.join(", ", parts));
  }
}
