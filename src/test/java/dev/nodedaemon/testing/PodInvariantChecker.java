package dev.nodedaemon.testing;

import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.DaemonPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches one NodeDaemon's pods for the length of a test and checks, at every event:
 *
 * <ol>
 *   <li>no node has more live (non-terminating) pods than {@link Bounds#maxPodsPerNode};
 *   <li>no node has two live pods of one revision, whatever the bounds;
 *   <li>no more than {@link Bounds#maxSurgingNodes} nodes have more than one live pod at once;
 *   <li>no more than {@link Bounds#maxNodesWithoutReadyPod} nodes lack a live <em>ready</em> pod,
 *       among the nodes that had a live pod at some point while watching.
 * </ol>
 *
 * It also records every pod that was deleted (with its revision and whether it was ready), and
 * checks itself: its watch closing with an error is a violation, and so is the watch lagging, found
 * by comparing a live list every two seconds with what the watch has delivered (it must catch up
 * within {@link Bounds#maxLag}). Violations are kept with the pods seen, so a failure says which
 * node and when.
 */
public final class PodInvariantChecker implements AutoCloseable, Watcher<Pod> {

  /** The limits checked at every event; use {@link Integer#MAX_VALUE} for "not checked". */
  public record Bounds(
      int maxPodsPerNode,
      int maxSurgingNodes,
      int maxNodesWithoutReadyPod,
      Duration maxLag,
      boolean relistAllowed) {

    public static Bounds perNode(int maxPodsPerNode) {
      return new Bounds(
          maxPodsPerNode, Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ofSeconds(10), false);
    }

    /** A rolling update's budget: maxUnavailable nodes down, maxSurge nodes with an extra pod. */
    public static Bounds rollingUpdate(int maxUnavailable, int maxSurge) {
      return new Bounds(
          maxSurge > 0 ? 2 : 1, maxSurge, maxUnavailable, Duration.ofSeconds(10), false);
    }

    public Bounds withMaxSurgingNodes(int nodes) {
      return new Bounds(maxPodsPerNode, nodes, maxNodesWithoutReadyPod, maxLag, relistAllowed);
    }

    public Bounds withMaxLag(Duration lag) {
      return new Bounds(
          maxPodsPerNode, maxSurgingNodes, maxNodesWithoutReadyPod, lag, relistAllowed);
    }

    /**
     * A watch the API server ends with 410 Gone (it restarted, and its watch cache cannot resume
     * from the version the checker had) is followed by a fresh list and watch instead of failing
     * the test; each is counted ({@link #relists}), as states between the last event and the list
     * were not seen.
     */
    public Bounds withRelistAfterGone() {
      return new Bounds(maxPodsPerNode, maxSurgingNodes, maxNodesWithoutReadyPod, maxLag, true);
    }
  }

  /** A pod that got a deletion timestamp, or vanished without one, while watched. */
  public record DeletedPod(String name, String node, String revision, boolean wasReady) {}

  private final KubernetesClient client;
  private final String namespace;
  private final String nodeDaemonName;
  private final Bounds bounds;
  private final Map<String, Pod> pods = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private final Set<String> nodesSeen = new HashSet<>();
  private final Map<String, DeletedPod> deleted = new HashMap<>();

  /** UIDs whose DELETED event the watch delivered: later than any listed state of the pod. */
  private final Set<String> gone = new HashSet<>();

  private volatile Watch watch;
  private int relists;
  private final ScheduledExecutorService lagProbe;
  private int peakPerNode;
  private int peakSurgingNodes;
  private int peakNodesWithoutReadyPod;
  private Duration worstLag = Duration.ZERO;
  private volatile boolean closing;

  public PodInvariantChecker(
      KubernetesClient client, String namespace, String nodeDaemonName, int maxPerNode) {
    this(client, namespace, nodeDaemonName, Bounds.perNode(maxPerNode));
  }

  public PodInvariantChecker(
      KubernetesClient client, String namespace, String nodeDaemonName, Bounds bounds) {
    // A client of its own: the test's shared one also runs the informers of its waits, and the
    // checker's watch must not queue behind them.
    this.client = new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
    this.namespace = namespace;
    this.nodeDaemonName = nodeDaemonName;
    this.bounds = bounds;
    this.watch = pods().watch(this);
    this.lagProbe =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pod-invariant-lag-probe");
              t.setDaemon(true);
              return t;
            });
    lagProbe.scheduleWithFixedDelay(this::probeLag, 2, 2, TimeUnit.SECONDS);
  }

  @Override
  public synchronized void eventReceived(Action action, Pod pod) {
    String uid = pod.getMetadata().getUid();
    Pod before = pods.get(uid);
    if (action == Action.DELETED) {
      pods.remove(uid);
      gone.add(uid);
    } else {
      pods.put(uid, pod);
    }
    boolean goneNow = action == Action.DELETED || DaemonPods.isTerminating(pod);
    if (goneNow && !deleted.containsKey(uid)) {
      Pod last = before == null ? pod : before;
      deleted.put(
          uid,
          new DeletedPod(
              pod.getMetadata().getName(),
              DaemonPods.targetNode(pod).orElse("?"),
              DaemonPods.revision(pod),
              DaemonPods.isReady(last)));
    }
    check();
  }

  private void check() {
    Map<String, List<Pod>> liveByNode = new HashMap<>();
    for (Pod p : pods.values()) {
      if (!DaemonPods.isTerminating(p)) {
        liveByNode
            .computeIfAbsent(DaemonPods.targetNode(p).orElse("?"), n -> new ArrayList<>())
            .add(p);
      }
    }
    nodesSeen.addAll(liveByNode.keySet());
    int withoutReady = 0;
    for (String node : nodesSeen) {
      if (liveByNode.getOrDefault(node, List.of()).stream().noneMatch(DaemonPods::isReady)) {
        withoutReady++;
      }
    }
    peakNodesWithoutReadyPod = Math.max(peakNodesWithoutReadyPod, withoutReady);
    if (withoutReady > bounds.maxNodesWithoutReadyPod()) {
      violations.add(
          Instant.now()
              + ": "
              + withoutReady
              + " nodes without a ready pod, budget "
              + bounds.maxNodesWithoutReadyPod());
    }
    int surging = 0;
    List<String> surgingPods = new ArrayList<>();
    for (Map.Entry<String, List<Pod>> entry : liveByNode.entrySet()) {
      List<Pod> live = entry.getValue();
      peakPerNode = Math.max(peakPerNode, live.size());
      if (live.size() > 1) {
        surging++;
        surgingPods.add(entry.getKey() + "=" + described(live));
      }
      if (live.size() > bounds.maxPodsPerNode()) {
        violations.add(Instant.now() + ": " + entry.getKey() + " had " + names(live));
      }
      if (live.stream().map(DaemonPods::revision).distinct().count() < live.size()) {
        violations.add(
            Instant.now()
                + ": "
                + entry.getKey()
                + " had two live pods of one revision: "
                + names(live));
      }
    }
    peakSurgingNodes = Math.max(peakSurgingNodes, surging);
    if (surging > bounds.maxSurgingNodes()) {
      violations.add(
          Instant.now()
              + ": "
              + surging
              + " nodes surging, maxSurge "
              + bounds.maxSurgingNodes()
              + ": "
              + surgingPods);
    }
  }

  /**
   * Waits until the watch has delivered at least the state of a list made now, so that figures read
   * next include every event up to this moment (a test that saw the outcome through another client
   * may otherwise read them a few events early).
   */
  public void awaitCaughtUp() {
    PodList list = pods().list();
    Instant deadline = Instant.now().plus(bounds.maxLag());
    String behind;
    while ((behind = behind(list)) != null) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "the checker's watch stayed more than " + bounds.maxLag() + " behind: " + behind);
      }
      try {
        Thread.sleep(50); // polling our own watch thread's state, not waiting for the cluster
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /**
   * Lists the pods and waits until the watch has delivered at least that state: every listed pod at
   * its listed resourceVersion or later, and every pod the list no longer has gone. A list that
   * fails (the API server restarting) proves nothing and is skipped.
   */
  private void probeLag() {
    if (closing) {
      return;
    }
    PodList list;
    try {
      list =
          client
              .pods()
              .inNamespace(namespace)
              .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, nodeDaemonName)
              .list();
    } catch (RuntimeException e) {
      return;
    }
    Instant listed = Instant.now();
    Instant deadline = listed.plus(bounds.maxLag());
    while (!closing) {
      String behind = behind(list);
      if (behind == null) {
        synchronized (this) {
          Duration lag = Duration.between(listed, Instant.now());
          worstLag = lag.compareTo(worstLag) > 0 ? lag : worstLag;
        }
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        synchronized (this) {
          worstLag = bounds.maxLag();
          violations.add(
              listed
                  + ": the checker's watch lagged more than "
                  + bounds.maxLag()
                  + " behind a list: "
                  + behind);
        }
        return;
      }
      try {
        Thread.sleep(50); // waiting for our own watch thread: the state is polled, not an event
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** What the watch has not yet delivered of {@code list}, or null when it has it all. */
  private synchronized String behind(PodList list) {
    long listVersion = Long.parseLong(list.getMetadata().getResourceVersion());
    Set<String> listed = new HashSet<>();
    for (Pod p : list.getItems()) {
      listed.add(p.getMetadata().getUid());
      Pod seen = pods.get(p.getMetadata().getUid());
      if (seen == null && gone.contains(p.getMetadata().getUid())) {
        continue; // deleted since the list, and the watch said so
      }
      if (seen == null || resourceVersion(seen) < resourceVersion(p)) {
        return p.getMetadata().getName() + " at " + p.getMetadata().getResourceVersion();
      }
    }
    for (Pod p : pods.values()) {
      if (!listed.contains(p.getMetadata().getUid()) && resourceVersion(p) <= listVersion) {
        return p.getMetadata().getName() + " deleted by " + listVersion;
      }
    }
    return null;
  }

  private static long resourceVersion(Pod pod) {
    return Long.parseLong(pod.getMetadata().getResourceVersion());
  }

  /** Name, revision and readiness of each pod, for a violation's message. */
  private static List<String> described(List<Pod> pods) {
    return pods.stream()
        .map(
            p ->
                p.getMetadata().getName()
                    + "("
                    + DaemonPods.revision(p)
                    + (DaemonPods.isReady(p) ? ", ready" : ", not ready")
                    + ")")
        .toList();
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).toList();
  }

  private io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable<
          Pod, PodList, io.fabric8.kubernetes.client.dsl.PodResource>
      pods() {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, nodeDaemonName);
  }

  @Override
  public void onClose(WatcherException cause) {
    if (closing) {
      return;
    }
    if (cause.isHttpGone() && bounds.relistAllowed()) {
      lagProbe.execute(this::relist);
      return;
    }
    synchronized (this) {
      violations.add(Instant.now() + ": the checker's watch closed: " + cause);
    }
  }

  /** Takes the current state from a list (pods missing from it were deleted) and watches on. */
  private void relist() {
    PodList list;
    try {
      list = pods().list();
    } catch (RuntimeException e) {
      lagProbe.schedule(this::relist, 1, TimeUnit.SECONDS);
      return;
    }
    synchronized (this) {
      relists++;
      Set<String> listed = new HashSet<>();
      for (Pod p : list.getItems()) {
        listed.add(p.getMetadata().getUid());
      }
      for (Pod gone : List.copyOf(pods.values())) {
        if (!listed.contains(gone.getMetadata().getUid())) {
          eventReceived(Action.DELETED, gone);
        }
      }
      for (Pod p : list.getItems()) {
        eventReceived(Action.MODIFIED, p);
      }
    }
    watch = pods().withResourceVersion(list.getMetadata().getResourceVersion()).watch(this);
  }

  @Override
  public void onClose() {
    if (!closing) {
      synchronized (this) {
        violations.add(Instant.now() + ": the checker's watch closed");
      }
    }
  }

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

  /** The most nodes that had more than one live pod at once. */
  public synchronized int peakSurgingNodes() {
    return peakSurgingNodes;
  }

  /** How often the watch was ended with 410 Gone and replaced by a list and a new watch. */
  public synchronized int relists() {
    return relists;
  }

  /** The longest the watch took to catch up with a live list. */
  public synchronized Duration worstLag() {
    return worstLag;
  }

  /** Every pod deleted while watched, once each. */
  public synchronized List<DeletedPod> deletedPods() {
    return List.copyOf(deleted.values());
  }

  @Override
  public void close() {
    closing = true;
    lagProbe.shutdownNow();
    watch.close();
    client.close();
  }
}
