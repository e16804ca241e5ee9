package dev.nodedaemon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-node pod lifecycle on a real control plane, driven by the packaged operator. */
class PodLifecycleIT {

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void placesOnePodOnEveryEligibleNodeThroughTheSchedulerAndReportsStatus() {
    TestFleet fleet = new TestFleet("place");
    List<String> nodes = fleet.addNodes("n", 3);

    NodeDaemon nd = fleet.create(fleet.logAgent("agent"));
    List<Pod> pods = fleet.awaitReadyOnExactly("agent", nodes);

    for (Pod pod : pods) {
      OwnerReference owner = pod.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getUid()).isEqualTo(nd.getMetadata().getUid());
      assertThat(owner.getController()).isTrue();
      assertThat(pod.getMetadata().getLabels())
          .containsEntry("name", "agent")
          .containsKey(DaemonPodFactory.REVISION_LABEL);
      assertThat(
              pod.getSpec()
                  .getAffinity()
                  .getNodeAffinity()
                  .getRequiredDuringSchedulingIgnoredDuringExecution()
                  .getNodeSelectorTerms()
                  .get(0)
                  .getMatchFields()
                  .get(0)
                  .getValues())
          .as("pinned by node affinity, bound by the scheduler")
          .containsExactly(pod.getSpec().getNodeName());
      assertThat(pod.getSpec().getTolerations().stream().map(Toleration::getKey))
          .contains(
              "node.kubernetes.io/not-ready",
              "node.kubernetes.io/unreachable",
              "node.kubernetes.io/unschedulable",
              "node.kubernetes.io/disk-pressure",
              "node.kubernetes.io/memory-pressure",
              "node.kubernetes.io/pid-pressure");
    }
    NodeDaemon observed =
        fleet.awaitStatus(
            "agent",
            n ->
                n.getStatus() != null
                    && Integer.valueOf(3).equals(n.getStatus().getNumberAvailable()));
    assertThat(observed.getStatus().getDesiredNumberScheduled()).isEqualTo(3);
    assertThat(observed.getStatus().getCurrentNumberScheduled()).isEqualTo(3);
    assertThat(observed.getStatus().getNumberReady()).isEqualTo(3);
    assertThat(observed.getStatus().getUpdatedNumberScheduled()).isEqualTo(3);
    assertThat(observed.getStatus().getNumberMisscheduled()).isZero();
    assertThat(observed.getStatus().getNumberUnavailable()).isZero();
    assertThat(observed.getStatus().getObservedGeneration()).isEqualTo(1L);
    // Events are written off the reconcile thread: waited for, then counted exactly.
    fleet.awaitEvents("agent", "SuccessfulCreate", 3, Duration.ofSeconds(30));
    assertThat(fleet.eventReasons("agent")).filteredOn("SuccessfulCreate"::equals).hasSize(3);

    String table = fleet.cluster().kubectl("get", "nodedaemons", "-n", fleet.namespace());
    assertThat(table.lines().findFirst().orElseThrow())
        .containsSubsequence(
            "NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
    assertThat(table).containsPattern("agent\\s+3\\s+3\\s+3\\s+3\\s+3\\s+");
  }

  /** The docs' ssd-driver walkthrough: a node labelled later gets its pod, unlabelled loses it. */
  @Test
  void aNodeLabelledLaterGetsItsPodAndLosesItWhenTheLabelGoes() {
    TestFleet fleet = new TestFleet("ssd");
    List<String> nodes = fleet.addNodes("n", 2);
    NodeDaemon ssdDriver = fleet.logAgent("ssd-driver");
    ssdDriver.getSpec().getTemplate().getSpec().getNodeSelector().put("disktype", "ssd");
    fleet.create(ssdDriver);
    fleet.awaitStatus(
        "ssd-driver",
        n ->
            n.getStatus() != null
                && Integer.valueOf(0).equals(n.getStatus().getDesiredNumberScheduled()));
    assertThat(fleet.pods("ssd-driver")).isEmpty();

    fleet.cluster().kubectl("label", "node", nodes.get(0), "disktype=ssd");
    fleet.awaitReadyOnExactly("ssd-driver", List.of(nodes.get(0)));

    fleet.cluster().kubectl("label", "node", nodes.get(0), "disktype-");
    fleet.awaitPods("ssd-driver", List::isEmpty, Duration.ofSeconds(60));
  }

  @Test
  void taintsAreHonouredWithAndWithoutTolerations() {
    TestFleet fleet = new TestFleet("taint");
    List<String> plain = fleet.addNodes("plain", 2);
    List<String> gpu = fleet.addNodes("gpu", 1);
    fleet.cluster().kubectl("taint", "node", gpu.get(0), "gpu=true:NoSchedule");

    fleet.create(fleet.logAgent("agent"));
    NodeDaemon tolerant = fleet.logAgent("gpu-agent");
    tolerant
        .getSpec()
        .getTemplate()
        .getSpec()
        .setTolerations(
            List.of(
                new TolerationBuilder()
                    .withKey("gpu")
                    .withOperator("Exists")
                    .withEffect("NoSchedule")
                    .build()));
    fleet.create(tolerant);

    fleet.awaitReadyOnExactly("agent", plain);
    List<String> all = new ArrayList<>(plain);
    all.addAll(gpu);
    fleet.awaitReadyOnExactly("gpu-agent", all);

    // NoExecute evicts: the pod of the untolerating NodeDaemon goes, the other's too (it tolerates
    // only NoSchedule); NoSchedule alone would have left both running.
    fleet.cluster().kubectl("taint", "node", plain.get(0), "maintenance=true:NoExecute");
    fleet.awaitReadyOnExactly("agent", List.of(plain.get(1)));
    fleet.awaitReadyOnExactly("gpu-agent", List.of(plain.get(1), gpu.get(0)));
  }

  @Test
  void aCordonedNodeStillRunsItsDaemon() {
    TestFleet fleet = new TestFleet("cordon");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.cluster().kubectl("cordon", nodes.get(0));

    fleet.create(fleet.logAgent("agent"));

    fleet.awaitReadyOnExactly("agent", nodes);
  }

  @Test
  void aRemovedNodeLosesItsPodAndANewNodeGetsOne() {
    TestFleet fleet = new TestFleet("churn");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    fleet.awaitReadyOnExactly("agent", nodes);

    String orphan =
        fleet.pods("agent").stream()
            .filter(p -> nodes.get(1).equals(p.getSpec().getNodeName()))
            .findFirst()
            .orElseThrow()
            .getMetadata()
            .getName();
    fleet.cluster().kubectl("delete", "node", nodes.get(1));
    // Deleted (terminating): with no kubelet left to finish the delete, the pod goes once the pod
    // garbage collector force-deletes it, 40 s after the node went plus its period, which under
    // load outlasted a minute.
    fleet.awaitPods(
        "agent",
        pods -> pods.stream().filter(p -> !DaemonPods.isTerminating(p)).count() == 1,
        Duration.ofSeconds(60));
    // The operator deleted it, not kube-controller-manager's pod garbage collector (which would
    // too, 40 s after the node went): its own event says so.
    assertThat(fleet.awaitOnlyEvent("agent", "SuccessfulDelete", Duration.ofSeconds(30)))
        .isEqualTo("Deleted pod: " + orphan + " (its node does not exist)");

    List<String> joined = fleet.addNodes("late", 1);
    fleet.awaitReadyOnExactly("agent", List.of(nodes.get(0), joined.get(0)));
  }

  /**
   * A pod that keeps failing is replaced with per-node backoff: the gaps between replacements
   * double (1 s, 2 s, 4 s ...) instead of a hot loop.
   */
  @Test
  void aFailedPodIsReplacedWithExponentialBackoff() {
    TestFleet fleet = new TestFleet("fail");
    fleet.addNodes("n", 1);
    NodeDaemon failing = fleet.logAgent("failing");
    failing.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("agent:podfail");
    List<Instant> deletions = new ArrayList<>();
    try (var watch =
        fleet
            .client()
            .pods()
            .inNamespace(fleet.namespace())
            .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, "failing")
            .watch(new DeletionRecorder(deletions))) {
      fleet.create(failing);
      // Three replacements show the doubling (at once, 1 s, 2 s); waiting for more only adds time.
      fleet.awaitEvents("failing", "FailedDaemonPod", 3, Duration.ofSeconds(90));
      // The event is written before the delete; the third pod is gone a moment later.
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                synchronized (deletions) {
                  return deletions.size() >= 3;
                }
              });
    }
    List<Instant> seen;
    synchronized (deletions) {
      seen = List.copyOf(deletions);
    }
    assertThat(seen).hasSizeGreaterThanOrEqualTo(3);
    // The first failed pod goes at once; the next waits 1 s after that, the one after 2 s.
    for (int i = 1; i < 3; i++) {
      Duration gap = Duration.between(seen.get(i - 1), seen.get(i));
      Duration backoff = Duration.ofSeconds(1L << (i - 1));
      assertThat(gap)
          .as("gap before deleting failed pod %d (deletions seen at %s)", i, seen)
          .isGreaterThanOrEqualTo(backoff.minusMillis(300));
    }
    fleet.awaitEvents("failing", "SuccessfulDelete", 1, Duration.ofSeconds(30));
  }

  @Test
  void deletingANodeDaemonDeletesItsPodsAndOrphanDeletionLeavesThem() {
    TestFleet fleet = new TestFleet("delete");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("cascade"));
    fleet.create(fleet.logAgent("orphan"));
    fleet.awaitReadyOnExactly("cascade", nodes);
    List<Pod> orphans = fleet.awaitReadyOnExactly("orphan", nodes);

    fleet
        .client()
        .resources(NodeDaemon.class)
        .inNamespace(fleet.namespace())
        .withName("cascade")
        .delete();
    fleet
        .client()
        .resources(NodeDaemon.class)
        .inNamespace(fleet.namespace())
        .withName("orphan")
        .withPropagationPolicy(DeletionPropagation.ORPHAN)
        .delete();

    fleet.awaitPods("cascade", List::isEmpty, Duration.ofSeconds(60));
    fleet
        .client()
        .resources(NodeDaemon.class)
        .inNamespace(fleet.namespace())
        .withName("orphan")
        .waitUntilCondition(nd -> nd == null, 60, TimeUnit.SECONDS);
    List<Pod> left =
        fleet.awaitPods(
            "orphan",
            pods -> pods.stream().allMatch(p -> p.getMetadata().getOwnerReferences().isEmpty()),
            Duration.ofSeconds(60));
    assertThat(left.stream().map(p -> p.getMetadata().getUid()))
        .containsExactlyInAnyOrderElementsOf(
            orphans.stream().map(p -> p.getMetadata().getUid()).toList());
    assertThat(left).allMatch(DaemonPods::isReady);
  }

  /**
   * Pods left by an orphan deletion keep the NodeDaemon label, so they are in the pod informer and
   * not in the adoption's server-side list (which leaves labelled pods out): a NodeDaemon created
   * again under the same selector adopts those same pods from the cache instead of making new ones.
   */
  @Test
  void aNodeDaemonCreatedAgainAdoptsThePodsItsOrphanDeletionLeft() {
    TestFleet fleet = new TestFleet("readopt");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    List<String> before =
        fleet.awaitReadyOnExactly("agent", nodes).stream()
            .map(p -> p.getMetadata().getUid())
            .toList();
    fleet
        .client()
        .resources(NodeDaemon.class)
        .inNamespace(fleet.namespace())
        .withName("agent")
        .withPropagationPolicy(DeletionPropagation.ORPHAN)
        .delete();
    fleet
        .client()
        .resources(NodeDaemon.class)
        .inNamespace(fleet.namespace())
        .withName("agent")
        .waitUntilCondition(nd -> nd == null, 60, TimeUnit.SECONDS);
    fleet.awaitPods(
        "agent",
        pods -> pods.stream().allMatch(p -> p.getMetadata().getOwnerReferences().isEmpty()),
        Duration.ofSeconds(60));

    NodeDaemon again = fleet.create(fleet.logAgent("agent"));

    fleet.awaitEvents("agent", "SuccessfulAdopt", 2, Duration.ofSeconds(60));
    List<Pod> after =
        fleet.awaitPods(
            "agent",
            pods ->
                pods.size() == 2
                    && pods.stream()
                        .allMatch(
                            p ->
                                p.getMetadata().getOwnerReferences().stream()
                                    .anyMatch(
                                        o -> o.getUid().equals(again.getMetadata().getUid()))),
            Duration.ofSeconds(60));
    assertThat(after.stream().map(p -> p.getMetadata().getUid()))
        .containsExactlyInAnyOrderElementsOf(before);
  }

  /** A pod that matches the selector and has no controller is adopted, not duplicated. */
  @Test
  void aMatchingPodWithoutControllerIsAdopted() {
    TestFleet fleet = new TestFleet("adopt");
    List<String> nodes = fleet.addNodes("n", 2);
    Pod stray =
        new PodBuilder()
            .withNewMetadata()
            .withName("stray")
            .withNamespace(fleet.namespace())
            .withLabels(Map.of("name", "agent"))
            .endMetadata()
            .withNewSpec()
            .withNodeName(nodes.get(0))
            .addNewContainer()
            .withName("fluentd-elasticsearch")
            .withImage("quay.io/fluentd_elasticsearch/fluentd:v2.5.2")
            .endContainer()
            .endSpec()
            .build();
    String strayUid = fleet.client().pods().resource(stray).create().getMetadata().getUid();

    NodeDaemon nd = fleet.create(fleet.logAgent("agent"));

    List<Pod> pods = fleet.awaitReadyOnExactly("agent", nodes);
    Pod adopted =
        pods.stream()
            .filter(p -> p.getMetadata().getUid().equals(strayUid))
            .findFirst()
            .orElseThrow();
    assertThat(adopted.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(nd.getMetadata().getUid()));
    fleet.awaitEvents("agent", "SuccessfulAdopt", 1, Duration.ofSeconds(30));
  }

  /** Records when each pod of a watch was seen to go. */
  private record DeletionRecorder(List<Instant> deletions)
      implements io.fabric8.kubernetes.client.Watcher<Pod> {
    @Override
    public void eventReceived(Action action, Pod pod) {
      if (action == Action.DELETED) {
        synchronized (deletions) {
          deletions.add(Instant.now()); // API timestamps have only whole seconds
        }
      }
    }

    @Override
    public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
  }
}
