package dev.nodedaemon.testing;

import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.DaemonPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches one NodeDaemon's pods for the length of a test and checks, at every event, that no node
 * ever has more live (non-terminating) pods than allowed. Violations are kept with the pods seen,
 * so a failure says which node and when.
 */
public final class PodInvariantChecker implements AutoCloseable, Watcher<Pod> {

  private final int maxPerNode;
  private final Map<String, Pod> pods = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private final Watch watch;
  private int peakPerNode;
  private final java.util.Set<String> nodesSeen = new java.util.HashSet<>();
  private int peakNodesWithoutReadyPod;

  public PodInvariantChecker(
      KubernetesClient client, String namespace, String nodeDaemonName, int maxPerNode) {
    this.maxPerNode = maxPerNode;
    this.watch =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, nodeDaemonName)
            .watch(this);
  }

  @Override
  public synchronized void eventReceived(Action action, Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (action == Action.DELETED) {
      pods.remove(uid);
      return;
    }
    pods.put(uid, pod);
    Map<String, List<String>> liveByNode = new HashMap<>();
    for (Pod p : pods.values()) {
      if (!DaemonPods.isTerminating(p)) {
        liveByNode
            .computeIfAbsent(DaemonPods.targetNode(p).orElse("?"), n -> new ArrayList<>())
            .add(p.getMetadata().getName());
      }
    }
    nodesSeen.addAll(liveByNode.keySet());
    int withoutReady = 0;
    for (String node : nodesSeen) {
      boolean ready =
          pods.values().stream()
              .anyMatch(
                  p ->
                      !DaemonPods.isTerminating(p)
                          && DaemonPods.isReady(p)
                          && node.equals(DaemonPods.targetNode(p).orElse("?")));
      if (!ready) {
        withoutReady++;
      }
    }
    peakNodesWithoutReadyPod = Math.max(peakNodesWithoutReadyPod, withoutReady);
    for (Map.Entry<String, List<String>> entry : liveByNode.entrySet()) {
      peakPerNode = Math.max(peakPerNode, entry.getValue().size());
      if (entry.getValue().size() > maxPerNode) {
        violations.add(entry.getKey() + " had " + entry.getValue());
      }
    }
  }

  @Override
  public void onClose(WatcherException cause) {}

  public synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  /**
   * The most nodes that, at any one event, had no ready live pod, among the nodes that had a pod
   * when watching began or since: the unavailability a rollout caused.
   */
  public synchronized int peakNodesWithoutReadyPod() {
    return peakNodesWithoutReadyPod;
  }

  public synchronized int peakPerNode() {
    return peakPerNode;
  }

  @Override
  public void close() {
    watch.close();
  }
}
