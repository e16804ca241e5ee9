package dev.nodedaemon.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.config.CrdInstaller;
import dev.nodedaemon.testing.AuditLog;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.OperatorProcess;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two operator processes with leader election against a control plane of their own (the shared
 * operator watches every namespace of the shared cluster and would be a third writer). Each runs as
 * its own service account, so the audit log tells their writes apart.
 */
class LeaderElectionIT {

  private static final String NAMESPACE = "nodedaemon-system";
  private static final String LEASE = "nodedaemon-operator";
  // Short, to keep the test short, but with room for a loaded machine: a leader that cannot renew
  // within the deadline halts, which would spoil the takeover measured here.
  private static final Duration LEASE_DURATION = Duration.ofSeconds(8);
  private static final Duration RENEW_DEADLINE = Duration.ofSeconds(6);
  private static final Duration RETRY_PERIOD = Duration.ofSeconds(1);
  private static final String OLD_IMAGE = "quay.io/fluentd_elasticsearch/fluentd:v2.5.2";
  private static final String NEW_IMAGE = "quay.io/fluentd_elasticsearch/fluentd:v3";

  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.up("le-" + ProcessHandle.current().pid(), 0);
    KubernetesClient client = cluster.client();
    new CrdInstaller(client).installAndWait(Duration.ofSeconds(60));
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    for (String identity : List.of("operator-a", "operator-b")) {
      client
          .serviceAccounts()
          .inNamespace(NAMESPACE)
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName(identity)
                  .endMetadata()
                  .build())
          .create();
      // Rights are HelmChartIT's subject; here only who writes when matters.
      client
          .rbac()
          .clusterRoleBindings()
          .resource(
              new ClusterRoleBindingBuilder()
                  .withNewMetadata()
                  .withName(identity)
                  .endMetadata()
                  .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                  .addNewSubject()
                  .withKind("ServiceAccount")
                  .withName(identity)
                  .withNamespace(NAMESPACE)
                  .endSubject()
                  .build())
          .create();
    }
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void standbyTakesOverAKilledLeaderMidRolloutWithinALeasePeriod() {
    TestFleet fleet = new TestFleet(cluster, "ha");
    List<String> nodes = fleet.addNodes("n", 20);
    OperatorProcess a = start("operator-a");
    awaitHolder("operator-a");
    try (OperatorProcess b = start("operator-b");
        PodInvariantChecker checker =
            new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1)) {
      assertThat(holder()).as("the first to start leads; the second waits").isEqualTo("operator-a");
      fleet.create(fleet.logAgent("agent"));
      fleet.awaitAllOnImage("agent", nodes, OLD_IMAGE);

      // A rollout, one node at a time; the leader dies (SIGKILL) a few nodes in.
      PodInvariantChecker rollout =
          new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1);
      fleet.setImage("agent", NEW_IMAGE);
      fleet.awaitPods(
          "agent",
          pods -> pods.stream().filter(p -> NEW_IMAGE.equals(TestFleet.image(p))).count() >= 3,
          Duration.ofSeconds(60));
      assertThat(a.isAlive() && "operator-a".equals(holder()))
          .as("operator-a still leads when it is killed")
          .isTrue();
      Instant killed = Instant.now();
      a.kill();
      Lease lease = awaitHolder("operator-b");
      Duration takeover = Duration.between(killed, micro(lease.getSpec().getAcquireTime()));

      fleet.awaitAllOnImage("agent", nodes, NEW_IMAGE);
      Instant done = Instant.now();

      AuditLog audit = cluster.auditLog();
      List<AuditLog.Call> writesOfA = podWrites(audit, "operator-a");
      List<AuditLog.Call> writesOfB = podWrites(audit, "operator-b");
      Instant firstWriteOfB = writesOfB.getFirst().at();
      System.out.printf(
          "leader killed mid-rollout; lease duration %s, retry period %s:%n"
              + "  operator-b acquired the lease %.1f s after the kill%n"
              + "  operator-b's first pod write %.1f s after the kill%n"
              + "  rollout finished %.1f s after the kill%n"
              + "  pod writes: operator-a %d, operator-b %d%n",
          LEASE_DURATION,
          RETRY_PERIOD,
          takeover.toMillis() / 1000.0,
          Duration.between(killed, firstWriteOfB).toMillis() / 1000.0,
          Duration.between(killed, done).toMillis() / 1000.0,
          writesOfA.size(),
          writesOfB.size());

      assertThat(takeover)
          .as("takeover within one lease period (plus one retry, and slack for a loaded machine)")
          .isLessThanOrEqualTo(LEASE_DURATION.plus(RETRY_PERIOD).plusSeconds(2));
      assertThat(writesOfA).as("the leader wrote pods").isNotEmpty();
      assertThat(writesOfA.getLast().at()).isBeforeOrEqualTo(killed);
      assertThat(firstWriteOfB)
          .as("the standby wrote nothing while it was not the leader")
          .isAfterOrEqualTo(micro(lease.getSpec().getAcquireTime()));
      assertThat(checker.violations()).as("nodes that ever had two live pods").isEmpty();
      rollout.close();
      assertThat(rollout.peakNodesWithoutReadyPod())
          .as("maxUnavailable=1 held across the takeover")
          .isLessThanOrEqualTo(1);
      assertThat(fleet.pods("agent")).hasSize(nodes.size());
    }
  }

  /**
   * A leader that freezes (SIGSTOP: a long GC pause, a stalled node) past its Lease, while the
   * standby takes over and writes, and then wakes up (SIGCONT) with its reconciles where they
   * stopped, must not start a write again: shown from the API server's audit log, every write of
   * the old leader after the standby acquired the Lease (but those in flight when it froze).
   */
  @Test
  void aPausedLeaderThatWakesAfterTheTakeoverMakesNoWrite() {
    TestFleet fleet = new TestFleet(cluster, "paused");
    List<String> nodes = fleet.addNodes("n", 12);
    OperatorProcess a = start("operator-a");
    awaitHolder("operator-a");
    try (OperatorProcess b = start("operator-b")) {
      fleet.create(TestFleet.withReadyDelay(fleet.logAgent("agent"), "1s"));
      fleet.awaitAllOnImage("agent", nodes, OLD_IMAGE);
      fleet.setImage("agent", NEW_IMAGE);
      fleet.awaitPods(
          "agent",
          pods -> pods.stream().filter(p -> NEW_IMAGE.equals(TestFleet.image(p))).count() >= 2,
          Duration.ofSeconds(60));
      a.pause();
      Instant paused = Instant.now();
      Lease lease = awaitHolder("operator-b");
      Instant takeover = micro(lease.getSpec().getAcquireTime());
      // The standby is writing (its first pod write is after the takeover) when the leader wakes.
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !podWrites(cluster.auditLog(), "operator-b").isEmpty());
      a.resume();
      Instant resumed = Instant.now();
      int exit = a.awaitExitCode(Duration.ofSeconds(30));
      fleet.awaitAllOnImage("agent", nodes, NEW_IMAGE);

      List<AuditLog.Call> late =
          cluster.auditLog().callsBy("system:serviceaccount:" + NAMESPACE + ":operator-a").stream()
              .filter(c -> c.isWrite() && !c.at().isBefore(takeover))
              .toList();
      System.out.printf(
          "leader paused %.1f s (takeover %.1f s after the pause), then resumed; it exited %d"
              + " %.1f s later; its writes after the takeover: %s%n",
          Duration.between(paused, resumed).toMillis() / 1000.0,
          Duration.between(paused, takeover).toMillis() / 1000.0,
          exit,
          Duration.between(resumed, Instant.now()).toMillis() / 1000.0,
          late.stream()
              .map(c -> c.verb() + " " + c.rbacResource() + "/" + c.name() + " " + c.code())
              .toList());
      // A request the old leader's HTTP client had already taken when it froze goes out the moment
      // it wakes, and the API server has no fencing token to refuse it (the built-in controllers
      // share this); what the fence must stop is any write it *starts* after waking. Seen in
      // rehearsals: an event and a status patch 4-13 ms after the fence halted the process.
      // Without the fence the old leader wrote for 12 s after waking, until its elector noticed.
      Instant inFlightFlushed = resumed.plusMillis(500);
      assertThat(late.stream().filter(c -> c.at().isAfter(inFlightFlushed)).toList())
          .as("writes of the old leader after the takeover, beyond those in flight when it froze")
          .isEmpty();
      assertThat(exit).as("the old leader halts once it sees the Lease lost").isEqualTo(1);
    }
  }

  /**
   * A rolling update of the operator: the leader gets SIGTERM, stops cleanly (the SDK's exit on
   * lost leadership would hang a shutdown hook), and the standby leads once the Lease expires.
   */
  @Test
  void aStoppedLeaderExitsCleanlyAndTheStandbyLeadsWithinALeasePeriod() {
    OperatorProcess a = start("operator-a");
    awaitHolder("operator-a");
    try (OperatorProcess b = start("operator-b")) {
      Instant stopping = Instant.now();
      // It exits (the JVM's status for SIGTERM is 143), rather than hanging in System.exit.
      assertThat(a.stop(Duration.ofSeconds(20))).as("exit status after SIGTERM").isIn(0, 143);
      Lease lease = awaitHolder("operator-b");
      Duration takeover = Duration.between(stopping, micro(lease.getSpec().getAcquireTime()));
      System.out.printf(
          "leader stopped (SIGTERM); operator-b acquired the lease %.1f s later%n",
          takeover.toMillis() / 1000.0);
      assertThat(takeover).isLessThanOrEqualTo(LEASE_DURATION.plus(RETRY_PERIOD).plusSeconds(2));
      assertThat(a.logText()).contains("stopped leading on shutdown");
    }
  }

  @Test
  void aLeaderThatLosesItsLeaseHaltsAtOnce() {
    try (OperatorProcess a = start("operator-a")) {
      awaitHolder("operator-a");
      // Someone else holds the Lease now (as after a partition in which it expired). A merge
      // patch without resourceVersion: the leader renews every retry period.
      Instant taken = Instant.now();
      cluster
          .client()
          .leases()
          .inNamespace(NAMESPACE)
          .withName(LEASE)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              """
              {"spec": {"holderIdentity": "intruder", "leaseDurationSeconds": 3600,
                        "renewTime": "%s"}}
              """
                  .formatted(
                      java.time.format.DateTimeFormatter.ofPattern(
                              "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
                          .format(ZonedDateTime.now(java.time.ZoneOffset.UTC))));
      int exit = a.awaitExitCode(Duration.ofSeconds(30));
      System.out.printf(
          "leader halted %.1f s after losing its lease (renew deadline %s)%n",
          Duration.between(taken, Instant.now()).toMillis() / 1000.0, RENEW_DEADLINE);
      assertThat(exit).isEqualTo(1);
      assertThat(a.logText()).contains("lost the Lease");
    }
  }

  private static OperatorProcess start(String identity) {
    return OperatorProcess.start(
        cluster.serviceAccountKubeconfig(NAMESPACE, identity),
        "leader-election-" + identity,
        Map.of(
            "nodedaemon.crd.install",
            "false",
            "nodedaemon.leader-election.enabled",
            "true",
            "nodedaemon.leader-election.lease-namespace",
            NAMESPACE,
            "nodedaemon.leader-election.identity",
            identity,
            "nodedaemon.leader-election.lease-duration",
            LEASE_DURATION.toMillis() + "ms",
            "nodedaemon.leader-election.renew-deadline",
            RENEW_DEADLINE.toMillis() + "ms",
            "nodedaemon.leader-election.retry-period",
            RETRY_PERIOD.toMillis() + "ms"),
        Map.of());
  }

  private static String holder() {
    Lease lease = cluster.client().leases().inNamespace(NAMESPACE).withName(LEASE).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static Lease awaitHolder(String identity) {
    return cluster
        .client()
        .leases()
        .inNamespace(NAMESPACE)
        .withName(LEASE)
        .waitUntilCondition(
            lease -> lease != null && identity.equals(lease.getSpec().getHolderIdentity()),
            60,
            TimeUnit.SECONDS);
  }

  private static List<AuditLog.Call> podWrites(AuditLog audit, String identity) {
    return audit.callsBy("system:serviceaccount:" + NAMESPACE + ":" + identity).stream()
        .filter(c -> c.isWrite() && c.resource().equals("pods"))
        .toList();
  }

  private static Instant micro(ZonedDateTime time) {
    return time.toInstant();
  }
}
