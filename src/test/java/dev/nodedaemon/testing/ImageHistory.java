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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records, from a watch that starts before the change under test, every node whose daemon pod ever
 * carried an image, and every pod UID ever deleted: the blast radius of a rollout, measured from
 * events rather than sampled.
 */
public final class ImageHistory implements AutoCloseable, Watcher<Pod> {

  private final Map<String, Set<String>> nodesByImage = new HashMap<>();
  private final List<String> deletedUids = new ArrayList<>();
  private final Watch watch;
  private volatile WatcherException closedWith;

  public ImageHistory(KubernetesClient client, String namespace, String nodeDaemonName) {
    this.watch =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, nodeDaemonName)
            .watch(this);
  }

  @Override
  public synchronized void eventReceived(Action action, Pod pod) {
    if (action == Action.DELETED) {
      deletedUids.add(pod.getMetadata().getUid());
      return;
    }
    String node = DaemonPods.targetNode(pod).orElse("?");
    for (var container : pod.getSpec().getContainers()) {
      nodesByImage.computeIfAbsent(container.getImage(), i -> new HashSet<>()).add(node);
    }
  }

  @Override
  public void onClose(WatcherException cause) {
    closedWith = cause;
  }

  /** The nodes whose pod ever ran {@code image}. */
  public synchronized Set<String> nodesThatRan(String image) {
    if (closedWith != null) {
      throw new AssertionError("the pod watch closed, the history is incomplete", closedWith);
    }
    return Set.copyOf(nodesByImage.getOrDefault(image, Set.of()));
  }

  /** UIDs of the pods deleted since the watch began. */
  public synchronized List<String> deletedUids() {
    return List.copyOf(deletedUids);
  }

  @Override
  public void close() {
    watch.close();
  }
}
