package dev.nodedaemon.topology;

import static dev.nodedaemon.testing.StatusChecks.image;
import static dev.nodedaemon.testing.StatusChecks.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodLabels;
import dev.nodedaemon.api.PrePull;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.ImageHistory;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Image pre-pull on the real control plane. kwok plays the kubelet: a pre-pull pod whose image
 * volume names an image with "nopull" fails with ErrImagePull (hack/kwok/README.md); any other is
 * pulled at once and the pod turns Ready. Orders come from one watch over daemon and pre-pull pods.
 */
class PrePullIT {

  private static final String V1 = "example.com/agent:v1";
  private static final String V2 = "example.com/agent:v2";
  private static final String CANNOT_PULL = "example.com/agent:v2-nopull";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void theNextNodesArePulledAheadOfTheFrontAndEachReplacedNodeWasPulledFirst()
      throws InterruptedException {
    TestFleet fleet = new TestFleet("prepull");
    List<String> nodes = fleet.addNodes("n", 6);
    fleet.create(agent(fleet, 2));
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    try (Recorder record = new Recorder(fleet, V2)) {
      fleet.setImage("agent", V2);
      fleet.awaitAllOnImage("agent", nodes, V2);
      fleet.awaitStatus("agent", n -> phase(RolloutPhase.Complete).test(n) && image(n).equals(V2));
      awaitNoPrePullPods(fleet);
      record.awaitTouched(nodes);

      for (String node : nodes) {
        assertThat(record.pulledAt(node))
            .as("%s pulled before its pod was touched (at %s)", node, record.touchedAt(node))
            .isNotNull()
            .isLessThan(record.touchedAt(node));
      }
      // Nodes go in name order: the second node's pull starts before the first node is touched.
      assertThat(record.prePullCreatedAt(nodes.get(1)))
          .as("the next node is pulled ahead of the front")
          .isLessThan(record.touchedAt(nodes.get(0)));
      assertThat(record.peakPrePullPods()).as("never more than nodesAhead at once").isEqualTo(2);
    }
  }

  @Test
  void aPullThatFailsStopsTheRolloutBeforeAnyWorkingPodIsDeletedAndNothingIsLeft() {
    TestFleet fleet = new TestFleet("prepull-fail");
    List<String> nodes = fleet.addNodes("n", 4);
    fleet.create(agent(fleet, 2));
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    try (ImageHistory history = new ImageHistory(fleet.client(), fleet.namespace(), "agent")) {
      fleet.setImage("agent", CANNOT_PULL);

      fleet.awaitEvents("agent", "HealthGateFailed", 1, Duration.ofSeconds(60));
      assertThat(
              fleet.events("agent").stream()
                  .filter(e -> "HealthGateFailed".equals(e.getReason()))
                  .map(e -> e.getMessage())
                  .toList())
          .anySatisfy(m -> assertThat(m).contains("ErrImagePull").contains("agent-prepull-"));
      // The default gate action rolls back: the fleet is on v1 again, untouched.
      fleet.awaitEvents("agent", "RolledBack", 1, Duration.ofSeconds(60));
      fleet.awaitStatus("agent", n -> phase(RolloutPhase.Complete).test(n) && image(n).equals(V1));
      awaitNoPrePullPods(fleet);

      assertThat(history.nodesThatRan(CANNOT_PULL)).as("no daemon pod got the image").isEmpty();
      assertThat(history.deletedUids()).as("no working pod was deleted").isEmpty();
      fleet.awaitAllOnImage("agent", nodes, V1);
    }
  }

  private static NodeDaemon agent(TestFleet fleet, int nodesAhead) {
    NodeDaemon nd = fleet.logAgent("agent");
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(V1);
    TestFleet.withRollingUpdate(nd, 1, null);
    PrePull prePull = new PrePull();
    prePull.setNodesAhead(nodesAhead);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPrePull(prePull);
    return nd;
  }

  private static void awaitNoPrePullPods(TestFleet fleet) {
    fleet
        .client()
        .pods()
        .inNamespace(fleet.namespace())
        .withLabel(PodLabels.PREPULL_LABEL, "agent")
        .informOnCondition(List::isEmpty)
        .orTimeout(60, TimeUnit.SECONDS)
        .join();
  }

  /**
   * One sequence over the events of one watch (daemon pods and pre-pull pods): when each node's
   * pre-pull pod was created and turned ready, when its daemon pod was first touched, and the most
   * pre-pull pods that existed at once.
   */
  private static final class Recorder implements AutoCloseable {
    private final KubernetesClient client;
    private final String newImage;
    private final Watch watch;
    private final Map<String, Integer> prePullCreated = new HashMap<>();
    private final Map<String, Integer> pulled = new HashMap<>();
    private final Map<String, Integer> touched = new HashMap<>();
    private final Set<String> prePullPods = new HashSet<>();
    private int sequence;
    private int peakPrePullPods;
    private volatile WatcherException closedWith;

    Recorder(TestFleet fleet, String newImage) {
      this.client =
          new KubernetesClientBuilder().withConfig(fleet.client().getConfiguration()).build();
      this.newImage = newImage;
      // One watch over the namespace (this test's pods only): events of one stream come in the
      // API server's order; two watches, one per label, would not be ordered with each other.
      this.watch = client.pods().inNamespace(fleet.namespace()).watch(watcher());
    }

    private Watcher<Pod> watcher() {
      return new Watcher<>() {
        @Override
        public void eventReceived(Action action, Pod pod) {
          Map<String, String> labels = pod.getMetadata().getLabels();
          if (labels != null && "agent".equals(labels.get(PodLabels.PREPULL_LABEL))) {
            record(true, action, pod);
          } else if (labels != null && "agent".equals(labels.get(PodLabels.NODEDAEMON_LABEL))) {
            record(false, action, pod);
          }
        }

        @Override
        public void onClose(WatcherException cause) {
          closedWith = cause;
        }
      };
    }

    private synchronized void record(boolean prePull, Watcher.Action action, Pod pod) {
      sequence++;
      String node = DaemonPods.targetNode(pod).orElse("?");
      if (prePull) {
        if (action == Watcher.Action.DELETED) {
          prePullPods.remove(pod.getMetadata().getUid());
          return;
        }
        prePullPods.add(pod.getMetadata().getUid());
        peakPrePullPods = Math.max(peakPrePullPods, prePullPods.size());
        prePullCreated.putIfAbsent(node, sequence);
        if (DaemonPods.isReady(pod)) {
          pulled.putIfAbsent(node, sequence);
        }
      } else if (action != Watcher.Action.DELETED
          && (DaemonPods.isTerminating(pod)
              || newImage.equals(pod.getSpec().getContainers().get(0).getImage()))) {
        touched.putIfAbsent(node, sequence);
      }
      notifyAll();
    }

    /** Waits until this watch, too, has seen every node touched. */
    synchronized void awaitTouched(List<String> nodes) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!touched.keySet().containsAll(nodes)) {
        intact();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("touched " + touched.keySet() + ", not all of " + nodes);
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }

    private void intact() {
      if (closedWith != null) {
        throw new AssertionError("a watch closed, the record is incomplete", closedWith);
      }
    }

    synchronized Integer pulledAt(String node) {
      intact();
      return pulled.get(node);
    }

    synchronized Integer touchedAt(String node) {
      intact();
      return touched.get(node);
    }

    synchronized Integer prePullCreatedAt(String node) {
      intact();
      return prePullCreated.get(node);
    }

    synchronized int peakPrePullPods() {
      intact();
      return peakPrePullPods;
    }

    @Override
    public void close() {
      watch.close();
      client.close();
    }
  }
}
