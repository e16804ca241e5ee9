package dev.nodedaemon.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonSpec;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.plan.PlanInput;
import dev.nodedaemon.plan.PodPlan.PlannedEvent;
import dev.nodedaemon.testing.PlanInputs;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A sequence of reconciles, as the reconciler reports them, and the Prometheus text each leaves:
 * the series a rollout produces, revisions and nodes that go away, a rollback counted once, and a
 * deleted NodeDaemon leaving nothing behind.
 */
class RolloutMetricsTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Instant now = T0;
  private final RolloutMetrics metrics =
      new RolloutMetrics(registry, true, Clock.fixed(T0.plusSeconds(100), ZoneOffset.UTC));
  private final NodeDaemon agent = nodeDaemon("ns1", "agent", "u1");

  @Test
  void aRollingUpdateLeavesTheExpectedSeries() {
    Pod old1 = pod("a1", "n1", "rev1", T0.minusSeconds(3600), true, 2);
    Pod old2 = pod("a2", "n2", "rev1", T0.minusSeconds(3600), true, 0);
    reconcile(agent, "rev1", status(2, 2, RolloutPhase.Complete, "rev1", "rev1"), old1, old2);

    String text = scrape();
    assertThat(value(text, "nodedaemon_desired_nodes", "nodedaemon=\"agent\"")).isEqualTo(2);
    assertThat(value(text, "nodedaemon_rollout_phase", "phase=\"Complete\"")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollout_phase", "phase=\"Progressing\"")).isEqualTo(0);
    assertThat(value(text, "nodedaemon_rollout_progress_ratio")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_paused")).isEqualTo(0);
    assertThat(
            value(
                text,
                "nodedaemon_revision_info",
                "current_revision=\"rev1\"",
                "update_revision=\"rev1\""))
        .isEqualTo(1);
    assertThat(value(text, "nodedaemon_node_pod_ready", "node=\"n1\"")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_node_pod_restarts", "node=\"n1\"")).isEqualTo(2);
    assertThat(value(text, "nodedaemon_node_revision_info", "node=\"n2\"", "revision=\"rev1\""))
        .isEqualTo(1);
    // The fixed scrape clock is T0+100s; the pod was created an hour before T0.
    assertThat(value(text, "nodedaemon_node_seconds_since_update", "node=\"n1\"")).isEqualTo(3700);
    // Counters exist at zero from the first reconcile, so increase() sees the first rollout.
    assertThat(value(text, "nodedaemon_rollouts_started_total")).isEqualTo(0);
    assertThat(
            value(text, "nodedaemon_rollouts_failed_total", "reason=\"ProgressDeadlineExceeded\""))
        .isEqualTo(0);
    assertThat(value(text, "nodedaemon_rollbacks_total", "reason=\"Requested\"")).isEqualTo(0);
    // Pods that existed before the operator saw the NodeDaemon are not update durations.
    assertThat(value(text, "nodedaemon_node_update_duration_seconds_count")).isEqualTo(0);

    // The template changes: n1's pod is replaced first.
    now = T0.plusSeconds(10);
    Pod new1 = pod("b1", "n1", "rev2", T0.plusSeconds(6), false, 0);
    NodeDaemonStatus progressing = status(2, 0, RolloutPhase.Progressing, "rev1", "rev2");
    progressing.setRollout(
        new RolloutProgress("rev2", T0.plusSeconds(5).toString(), null, 0, null));
    reconcile(agent, "rev2", progressing, List.of(event("RolloutStarted")), new1, old2);

    text = scrape();
    assertThat(value(text, "nodedaemon_rollouts_started_total")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollout_phase", "phase=\"Progressing\"")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollout_phase", "phase=\"Complete\"")).isEqualTo(0);
    assertThat(value(text, "nodedaemon_rollout_progress_ratio")).isEqualTo(0);
    assertThat(text).doesNotContain("update_revision=\"rev1\"");
    assertThat(value(text, "nodedaemon_revision_info", "update_revision=\"rev2\"")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_node_pod_ready", "node=\"n1\"")).isEqualTo(0);
    assertThat(value(text, "nodedaemon_node_pod_restarts", "node=\"n1\"")).isEqualTo(0);
    assertThat(text).doesNotContain("node=\"n1\",revision=\"rev1\"");
    assertThat(value(text, "nodedaemon_node_revision_info", "node=\"n1\"", "revision=\"rev2\""))
        .isEqualTo(1);

    // Both nodes run rev2, available: the rollout completes 15 s after it started.
    now = T0.plusSeconds(20);
    Pod ready1 = pod("b1", "n1", "rev2", T0.plusSeconds(6), true, 0);
    Pod new2 = pod("b2", "n2", "rev2", T0.plusSeconds(17), true, 0);
    NodeDaemonStatus complete = status(2, 2, RolloutPhase.Complete, "rev2", "rev2");
    complete.setRollout(progressing.getRollout());
    reconcile(agent, "rev2", complete, List.of(event("RolloutComplete")), ready1, new2);

    text = scrape();
    assertThat(value(text, "nodedaemon_rollouts_completed_total")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollout_duration_seconds_count")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollout_duration_seconds_sum")).isEqualTo(15);
    assertThat(value(text, "nodedaemon_rollout_duration_seconds_bucket", "le=\"10.0\""))
        .isEqualTo(0);
    assertThat(value(text, "nodedaemon_rollout_duration_seconds_bucket", "le=\"30.0\""))
        .isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollout_duration_seconds_bucket", "le=\"7200.0\""))
        .isEqualTo(1);
    // n1: created at +6 s, first seen available at +20 s; n2: +17 s to +20 s.
    assertThat(value(text, "nodedaemon_node_update_duration_seconds_count")).isEqualTo(2);
    assertThat(value(text, "nodedaemon_node_update_duration_seconds_sum")).isEqualTo(17);
    assertThat(value(text, "nodedaemon_rollout_progress_ratio")).isEqualTo(1);

    // The same pods again are not observed twice.
    now = T0.plusSeconds(30);
    reconcile(agent, "rev2", complete, List.of(), ready1, new2);
    assertThat(value(scrape(), "nodedaemon_node_update_duration_seconds_count")).isEqualTo(2);

    // n2 leaves the cluster: its per-node series go.
    reconcile(agent, "rev2", status(1, 1, RolloutPhase.Complete, "rev2", "rev2"), ready1);
    text = scrape();
    assertThat(text).doesNotContain("node=\"n2\"");
    assertThat(value(text, "nodedaemon_node_pod_ready", "node=\"n1\"")).isEqualTo(1);
  }

  @Test
  void aRollbackIsCountedOnceByItsReason() {
    Pod pod = pod("a1", "n1", "rev1", T0.minusSeconds(60), true, 0);
    NodeDaemonStatus rolledBack = status(1, 1, RolloutPhase.RollingBack, "rev2", "rev1");
    rolledBack.setLastRollback(
        new RollbackRecord(2L, 1L, "rev1", "ProgressDeadlineExceeded", T0.toString()));
    reconcile(agent, "rev1", rolledBack, List.of(event("ProgressDeadlineExceeded")), pod);
    // The next reconcile reads the status the previous one wrote.
    agent.setStatus(rolledBack);
    reconcile(agent, "rev1", rolledBack, List.of(event("RollbackStarted")), pod);
    reconcile(agent, "rev1", rolledBack, List.of(), pod);

    String text = scrape();
    assertThat(value(text, "nodedaemon_rollbacks_total", "reason=\"ProgressDeadlineExceeded\""))
        .isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollbacks_total", "reason=\"Requested\"")).isEqualTo(0);
    assertThat(
            value(text, "nodedaemon_rollouts_failed_total", "reason=\"ProgressDeadlineExceeded\""))
        .isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollouts_started_total")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollout_phase", "phase=\"RollingBack\"")).isEqualTo(1);
  }

  @Test
  void aDeletedNodeDaemonLeavesNoSeriesAndOthersKeepTheirs() {
    NodeDaemon other = nodeDaemon("ns2", "exporter", "u2");
    Pod pod = pod("a1", "n1", "rev1", T0, true, 0);
    reconcile(agent, "rev1", status(1, 1, RolloutPhase.Complete, "rev1", "rev1"), pod);
    reconcile(
        agent,
        "rev1",
        status(1, 1, RolloutPhase.Complete, "rev1", "rev1"),
        List.of(event("RolloutComplete")),
        pod);
    Pod otherPod = pod("x1", "n1", "revx", T0, true, 0);
    reconcile(other, "revx", status(1, 1, RolloutPhase.Complete, "revx", "revx"), otherPod);
    assertThat(scrape()).contains("nodedaemon=\"agent\"").contains("nodedaemon=\"exporter\"");

    metrics.retainOnly(Set.of("u2"));

    String text = scrape();
    assertThat(text).doesNotContain("nodedaemon=\"agent\"");
    assertThat(value(text, "nodedaemon_node_pod_ready", "nodedaemon=\"exporter\"")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollouts_completed_total", "nodedaemon=\"exporter\""))
        .isEqualTo(0);
  }

  @Test
  void eachTopologyDomainHasItsSeriesAndAVanishedDomainLosesThem() {
    Pod pod = pod("a1", "n1", "rev2", T0, true, 0);
    NodeDaemonStatus status = status(3, 1, RolloutPhase.Progressing, "rev1", "rev2");
    status.setRollout(new RolloutProgress());
    status.getRollout().setGroup("topology.kubernetes.io/zone=b");
    status.getRollout().setGroupsCompleted(1);
    status.getRollout().setGroupCount(2);
    status.setDomains(
        List.of(
            new dev.nodedaemon.api.DomainStatus("a", 2, 2, 0, 1),
            new dev.nodedaemon.api.DomainStatus("b", 1, 0, 1, 1)));
    reconcile(agent, "rev2", status, pod);

    String text = scrape();
    assertThat(value(text, "nodedaemon_domain_nodes", "domain=\"a\"")).isEqualTo(2);
    assertThat(value(text, "nodedaemon_domain_updated_nodes", "domain=\"a\"")).isEqualTo(2);
    assertThat(value(text, "nodedaemon_domain_unavailable_nodes", "domain=\"b\"")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollout_groups_completed")).isEqualTo(1);
    assertThat(value(text, "nodedaemon_rollout_groups")).isEqualTo(2);

    status.setDomains(List.of(new dev.nodedaemon.api.DomainStatus("a", 2, 2, 0, 1)));
    reconcile(agent, "rev2", status, pod);

    assertThat(scrape()).contains("domain=\"a\"").doesNotContain("domain=\"b\"");
  }

  @Test
  void perNodeSeriesCanBeTurnedOff() {
    RolloutMetrics fleetOnly = new RolloutMetrics(registry, false, Clock.systemUTC());
    Pod pod = pod("a1", "n1", "rev1", T0, true, 0);
    fleetOnly.observe(
        input(agent, "rev1", pod),
        1,
        status(1, 1, RolloutPhase.Complete, "rev1", "rev1"),
        List.of(),
        List.of());
    String text = scrape();
    assertThat(text).contains("nodedaemon_desired_nodes{");
    assertThat(text).doesNotContain("nodedaemon_node_pod_ready{").doesNotContain("node=\"n1\"");
  }

  private void reconcile(NodeDaemon nd, String revision, NodeDaemonStatus status, Pod... pods) {
    reconcile(nd, revision, status, List.of(), pods);
  }

  private void reconcile(
      NodeDaemon nd,
      String revision,
      NodeDaemonStatus status,
      List<PlannedEvent> events,
      Pod... pods) {
    metrics.observe(
        input(nd, revision, pods), status.getDesiredNumberScheduled(), status, events, List.of());
  }

  private PlanInput input(NodeDaemon nd, String revision, Pod... pods) {
    List<Node> nodes = new ArrayList<>();
    for (Pod pod : pods) {
      nodes.add(
          new NodeBuilder()
              .withNewMetadata()
              .withName(pod.getSpec().getNodeName())
              .endMetadata()
              .build());
    }
    return PlanInputs.of(nd, revision, ClusterSnapshot.of(nodes, Arrays.asList(pods)), now).build();
  }

  private static NodeDaemon nodeDaemon(String namespace, String name, String uid) {
    NodeDaemon nd = new NodeDaemon();
    nd.getMetadata().setNamespace(namespace);
    nd.getMetadata().setName(name);
    nd.getMetadata().setUid(uid);
    nd.setSpec(new NodeDaemonSpec());
    return nd;
  }

  private static NodeDaemonStatus status(
      int desired, int updatedAvailable, RolloutPhase phase, String current, String update) {
    NodeDaemonStatus status = new NodeDaemonStatus();
    status.setDesiredNumberScheduled(desired);
    status.setCurrentNumberScheduled(desired);
    status.setUpdatedNumberScheduled(updatedAvailable);
    status.setUpdatedNumberAvailable(updatedAvailable);
    status.setNumberReady(desired);
    status.setNumberAvailable(desired);
    status.setNumberUnavailable(0);
    status.setNumberMisscheduled(0);
    status.setPhase(phase);
    status.setCurrentRevision(current);
    status.setUpdateRevision(update);
    return status;
  }

  private static PlannedEvent event(String reason) {
    return new PlannedEvent(reason.contains("Exceeded"), reason, reason);
  }

  private static Pod pod(
      String uid, String node, String revision, Instant created, boolean ready, int restarts) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("agent-" + uid)
        .withUid(uid)
        .withCreationTimestamp(created.toString())
        .withLabels(Map.of(DaemonPodFactory.REVISION_LABEL, revision))
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .addNewContainerStatus()
        .withName("agent")
        .withRestartCount(restarts)
        .endContainerStatus()
        .endStatus()
        .build();
  }

  private String scrape() {
    return registry.scrape();
  }

  /** The value of the one series of {@code metric} whose labels include all of {@code labels}. */
  private static double value(String text, String metric, String... labels) {
    List<String> lines =
        text.lines()
            .filter(l -> l.startsWith(metric + "{"))
            .filter(l -> Arrays.stream(labels).allMatch(l::contains))
            .toList();
    assertThat(lines).as(metric + " " + Arrays.toString(labels) + " in\n" + text).hasSize(1);
    String line = lines.get(0);
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }
}
