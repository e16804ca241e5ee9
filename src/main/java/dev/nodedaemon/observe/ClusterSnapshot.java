package dev.nodedaemon.observe;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one reconcile of one NodeDaemon sees, read from the informer caches once: every node, and
 * this NodeDaemon's pods grouped by the node they are for. Built in one pass, so its size, not
 * nodes times pods, decides the cost.
 *
 * @param nodes every node of the cluster, by name
 * @param podsByNode this NodeDaemon's pods by target node, including terminating ones
 * @param podsWithoutNode pods for a node that does not exist (any more), or for no node at all
 */
public record ClusterSnapshot(
    Map<String, Node> nodes, Map<String, List<Pod>> podsByNode, List<Pod> podsWithoutNode) {

  public static ClusterSnapshot of(Collection<Node> nodes, Collection<Pod> pods) {
    Map<String, Node> byName = new HashMap<>(nodes.size() * 2);
    for (Node node : nodes) {
      byName.put(node.getMetadata().getName(), node);
    }
    Map<String, List<Pod>> podsByNode = new HashMap<>();
    List<Pod> orphans = new ArrayList<>();
    for (Pod pod : pods) {
      Optional<String> node = DaemonPods.targetNode(pod);
      if (node.isPresent() && byName.containsKey(node.get())) {
        podsByNode.computeIfAbsent(node.get(), n -> new ArrayList<>()).add(pod);
      } else {
        orphans.add(pod);
      }
    }
    return new ClusterSnapshot(byName, podsByNode, orphans);
  }

  public List<Pod> podsOn(String nodeName) {
    return podsByNode.getOrDefault(nodeName, List.of());
  }
}
