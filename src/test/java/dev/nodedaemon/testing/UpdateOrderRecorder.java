package dev.nodedaemon.testing;

import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.DaemonPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
 * Records, from a pod watch that starts before the change under test, the order in which a rollout
 * touches nodes and brings them up on the new image, and how many nodes of each zone are without a
 * ready pod at once. Positions are the watch's event sequence numbers, so the order is the API
 * server's, never a sample's.
 *
 * <p>A node is <em>touched</em> at the first event in which one of its pods is terminating or runs
 * the new image; it is <em>up</em> at the first event in which it has a live, ready pod on the new
 * image (minReadySeconds 0: ready is available). It is <em>down</em> while it has no live, ready
 * pod.
 */
public final class UpdateOrderRecorder implements AutoCloseable, Watcher<Pod> {

  private final KubernetesClient client;
  private final String newImage;
  private final Map<String, String> zoneOf;
  private final Map<String, Map<String, Pod>> podsByNode = new HashMap<>();
  private final Map<String, Integer> touched = new HashMap<>();
  private final Map<String, Integer> up = new HashMap<>();
  private final Set<String> down = new HashSet<>();
  private final Map<String, Integer> peakDownPerZone = new HashMap<>();
  private final List<String> touchOrder = new ArrayList<>();
  private final Watch watch;
  private int sequence;
  private int peakDown;
  private int peakZonesDown;
  private volatile WatcherException closedWith;

  /**
   * @param zoneOf each watched node's zone (nodes missing here are ignored)
   */
  public UpdateOrderRecorder(
      KubernetesClient client,
      String namespace,
      String nodeDaemonName,
      String newImage,
      Map<String, String> zoneOf) {
    // A client of its own, so the watch does not queue behind the test's informers.
    this.client = new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
    this.newImage = newImage;
    this.zoneOf = Map.copyOf(zoneOf);
    this.watch =
        this.client
            .pods()
            .inNamespace(namespace)
            .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, nodeDaemonName)
            .watch(this);
  }

  @Override
  public synchronized void eventReceived(Action action, Pod pod) {
    String node = DaemonPods.targetNode(pod).orElse(null);
    if (node == null || !zoneOf.containsKey(node)) {
      return;
    }
    sequence++;
    Map<String, Pod> pods = podsByNode.computeIfAbsent(node, n -> new HashMap<>());
    if (action == Action.DELETED) {
      pods.remove(pod.getMetadata().getUid());
    } else {
      pods.put(pod.getMetadata().getUid(), pod);
    }
    boolean touches =
        action != Action.DELETED && (DaemonPods.isTerminating(pod) || newImage.equals(image(pod)));
    if (touches && !touched.containsKey(node)) {
      touched.put(node, sequence);
      touchOrder.add(node);
    }
    boolean upNow = false;
    boolean ready = false;
    for (Pod p : pods.values()) {
      if (!DaemonPods.isTerminating(p) && DaemonPods.isReady(p)) {
        ready = true;
        upNow |= newImage.equals(image(p));
      }
    }
    if (upNow) {
      up.putIfAbsent(node, sequence);
    }
    if (ready) {
      down.remove(node);
    } else {
      down.add(node);
    }
    peakDown = Math.max(peakDown, down.size());
    Map<String, Integer> perZone = new HashMap<>();
    for (String n : down) {
      perZone.merge(zoneOf.get(n), 1, Integer::sum);
    }
    perZone.forEach((zone, count) -> peakDownPerZone.merge(zone, count, Math::max));
    peakZonesDown = Math.max(peakZonesDown, perZone.size());
    notifyAll();
  }

  /**
   * Waits until the watch has seen every one of {@code nodes} up on the new image: another watch
   * (the test's waits) may have seen it first.
   */
  public synchronized void awaitUp(List<String> nodes, java.time.Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!up.keySet().containsAll(nodes)) {
      intact();
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "the watch saw " + up.keySet() + " up, not all of " + nodes + " within " + timeout);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static String image(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }

  @Override
  public void onClose(WatcherException cause) {
    closedWith = cause;
  }

  private void intact() {
    if (closedWith != null) {
      throw new AssertionError("the pod watch closed, the record is incomplete", closedWith);
    }
  }

  /** Event number at which the node was first touched; absent if never. */
  public synchronized Integer touchedAt(String node) {
    intact();
    return touched.get(node);
  }

  /** Event number at which the node first ran the new image, ready; absent if never. */
  public synchronized Integer upAt(String node) {
    intact();
    return up.get(node);
  }

  /** Nodes in the order the rollout first touched them. */
  public synchronized List<String> touchOrder() {
    intact();
    return List.copyOf(touchOrder);
  }

  /** The most nodes of each zone that were without a ready pod at one time. */
  public synchronized Map<String, Integer> peakDownPerZone() {
    intact();
    return Map.copyOf(peakDownPerZone);
  }

  /** The most nodes of the whole fleet without a ready pod at one time. */
  public synchronized int peakDown() {
    intact();
    return peakDown;
  }

  /** The most zones that had a node without a ready pod at one time. */
  public synchronized int peakZonesDown() {
    intact();
    return peakZonesDown;
  }

  @Override
  public void close() {
    watch.close();
    client.close();
  }
}
