package dev.nodedaemon.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.ProxiedCluster;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Ownership by UID: a NodeDaemon deleted and recreated under the same name must not count or delete
 * its predecessor's pods or revisions as its own. The garbage collector removes them in the end; to
 * see what the new NodeDaemon does meanwhile, kube-controller-manager (and with it the garbage
 * collector) is paused (SIGSTOP) while the NodeDaemon is recreated with a new image.
 */
class PredecessorIT {

  private static final String NEW_IMAGE = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0";

  private final ProxiedCluster faulty = ProxiedCluster.get();

  @Test
  void aNodeDaemonRecreatedUnderTheSameNameLeavesItsPredecessorsPodsAndRevisionsAlone() {
    faulty.operator();
    TestFleet fleet = new TestFleet(faulty.cluster(), "successor");
    List<String> nodes = fleet.addNodes("n", 2);
    NodeDaemon first = fleet.create(fleet.logAgent("agent"));
    List<Pod> predecessors = fleet.awaitReadyOnExactly("agent", nodes);
    Set<String> predecessorUids =
        predecessors.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());

    long controllerManager = controllerManagerPid();
    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 2)) {
      signal("STOP", controllerManager);
      try {
        fleet.client().resource(first).delete();
        fleet
            .client()
            .resources(NodeDaemon.class)
            .inNamespace(fleet.namespace())
            .withName("agent")
            .waitUntilCondition(nd -> nd == null, 30, java.util.concurrent.TimeUnit.SECONDS);
        NodeDaemon second = fleet.logAgent("agent");
        second.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(NEW_IMAGE);
        String uid = fleet.create(second).getMetadata().getUid();

        // The successor runs its own pod on every node, beside the predecessor's.
        fleet.awaitPods(
            "agent",
            pods ->
                nodes.stream()
                    .allMatch(
                        node ->
                            pods.stream()
                                .anyMatch(
                                    p ->
                                        node.equals(p.getSpec().getNodeName())
                                            && controlledBy(p, uid)
                                            && DaemonPods.isReady(p))),
            Duration.ofSeconds(60));
        NodeDaemon status =
            fleet.awaitStatus(
                "agent",
                nd ->
                    nd.getStatus() != null
                        && Integer.valueOf(2).equals(nd.getStatus().getUpdatedNumberScheduled()));

        assertThat(checker.deletedPods())
            .as("pods deleted while the garbage collector was paused")
            .isEmpty();
        List<ControllerRevision> revisions =
            fleet
                .client()
                .resources(ControllerRevision.class)
                .inNamespace(fleet.namespace())
                .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, "agent")
                .list()
                .getItems();
        ControllerRevision own =
            revisions.stream()
                .filter(r -> r.getMetadata().getOwnerReferences().getFirst().getUid().equals(uid))
                .findFirst()
                .orElseThrow();
        assertThat(own.getRevision()).as("the successor's first revision").isEqualTo(1L);
        assertThat(revisions).as("the predecessor's revision is still there").hasSize(2);
        assertThat(status.getStatus().getCurrentNumberScheduled()).isEqualTo(2);
      } finally {
        signal("CONT", controllerManager);
      }
      // The garbage collector then removes the predecessor's pods, and only those.
      fleet.awaitPods(
          "agent",
          pods -> pods.stream().noneMatch(p -> predecessorUids.contains(p.getMetadata().getUid())),
          Duration.ofSeconds(60));
      assertThat(checker.deletedPods().stream().map(PodInvariantChecker.DeletedPod::name))
          .containsExactlyInAnyOrderElementsOf(
              predecessors.stream().map(p -> p.getMetadata().getName()).toList());
      assertThat(fleet.pods("agent")).allMatch(p -> NEW_IMAGE.equals(TestFleet.image(p)));
    }
  }

  private static boolean controlledBy(Pod pod, String uid) {
    return pod.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && uid.equals(o.getUid()));
  }

  private long controllerManagerPid() {
    try {
      return Long.parseLong(
          Files.readString(faulty.cluster().stateDir().resolve("pids/kube-controller-manager.pid"))
              .trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
