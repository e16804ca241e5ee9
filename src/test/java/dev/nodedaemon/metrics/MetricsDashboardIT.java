package dev.nodedaemon.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nodedaemon.api.FailurePolicy;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutStep;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.OperatorProcess;
import dev.nodedaemon.testing.PrometheusServer;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard against a real Prometheus: Prometheus scrapes the operator every second
 * while a NodeDaemon rolls out, rolls a new image out, then fails on a crash-looping image and is
 * rolled back; afterwards every query of every panel, with the dashboard's variables filled in for
 * this NodeDaemon, must return data over the test's time range, as Grafana would ask for it.
 */
class MetricsDashboardIT {

  private static final Path DASHBOARD =
      LocalCluster.projectDir().resolve("helm/nodedaemon/dashboards/nodedaemon.json");
  private static final String V1 = "example.com/agent:v1";
  private static final String V2 = "example.com/agent:v2";
  private static final String BROKEN = "example.com/agent:v3-crashloop";

  @Test
  void everyDashboardQueryReturnsDataAfterARolloutAFailureAndARollback() throws IOException {
    OperatorProcess operator = SharedOperator.get();
    TestFleet fleet = new TestFleet("metrics");
    List<String> nodes = fleet.addNodes("n", 4);
    Instant start = Instant.now();
    PrometheusServer prometheus =
        PrometheusServer.start(fleet.id(), List.of("127.0.0.1:" + operator.httpPort()));
    try {
      NodeDaemon nd = fleet.logAgent("agent");
      nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(V1);
      nd.getSpec().setProgressDeadlineSeconds(6);
      nd.getSpec().setFailurePolicy(FailurePolicy.Rollback);
      // Pods ready after 1 s, so scrapes every second see each rollout move; a canary step first,
      // so the step panel has a step to show.
      TestFleet.withReadyDelay(nd, "1s");
      TestFleet.withRollingUpdate(nd, 1, null)
          .getSpec()
          .getUpdateStrategy()
          .getRollingUpdate()
          .setSteps(
              List.of(
                  new RolloutStep(new IntOrString(1), null),
                  new RolloutStep(new IntOrString("100%"), null)));
      fleet.create(nd);
      fleet.awaitReadyOnExactly("agent", nodes);
      fleet.awaitStatus("agent", complete(V1));
      // Prometheus has scraped the counters at 0 before anything increments them: increase()
      // takes a series whose first sample is already 1 for no increase at all.
      String counters = "namespace=\"" + fleet.namespace() + "\",nodedaemon=\"agent\"";
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  prometheus.query("nodedaemon_gate_failures_total{" + counters + "} == 0").size()
                          > 0
                      && prometheus
                              .query("nodedaemon_rollouts_failed_total{" + counters + "} == 0")
                              .size()
                          > 0);

      fleet.setImage("agent", V2);
      fleet.awaitAllOnImage("agent", nodes, V2);
      fleet.awaitStatus("agent", complete(V2));

      // Fails its health gates on the first node and is rolled back to V2 by the operator.
      fleet.setImage("agent", BROKEN);
      fleet.awaitStatus("agent", complete(V2));
      fleet.awaitAllOnImage("agent", nodes, V2);

      String selector = "namespace=\"" + fleet.namespace() + "\",nodedaemon=\"agent\"";
      // The operator's series of the end state have been scraped.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  prometheus
                          .query(
                              "nodedaemon_rollbacks_total{"
                                  + selector
                                  + ",reason=\"HealthGateFailed\"} == 1 and on ()"
                                  + " nodedaemon_rollout_phase{"
                                  + selector
                                  + ",phase=\"Complete\"} == 1")
                          .size()
                      == 1);
      // A scrape can fall in the middle of one reconcile's metric updates (the phase already
      // Complete, a node's gauge not yet), so the end state is awaited; a counter that overshot
      // never comes back down, so a double count still fails.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(
                        scalar(prometheus, "nodedaemon_rollouts_completed_total{" + selector + "}"))
                    .as("initial rollout, V2, rollback to V2")
                    .isEqualTo(3);
                assertThat(
                        scalar(
                            prometheus,
                            "nodedaemon_rollouts_failed_total{"
                                + selector
                                + ",reason=\"HealthGateFailed\"}"))
                    .isEqualTo(1);
                assertThat(
                        scalar(
                            prometheus,
                            "nodedaemon_gate_failures_total{"
                                + selector
                                + ",reason=\"CrashLoopBackOff\"}"))
                    .as("the crash-looping canary, caught on its first node")
                    .isEqualTo(1);
                assertThat(scalar(prometheus, "nodedaemon_desired_nodes{" + selector + "}"))
                    .isEqualTo(4);
                assertThat(
                        scalar(
                            prometheus, "count(nodedaemon_node_pod_ready{" + selector + "} == 1)"))
                    .isEqualTo(4);
              });

      // One agent restarts twice, then stays unready (kwok faults, one after the other: a pod with
      // a fault takes no restarts), for the node health panels.
      String sick = fleet.pods("agent").get(0).getMetadata().getName();
      annotate(fleet, sick, "nodedaemon.dev/restarts", "2");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  prometheus.query("nodedaemon_node_pod_restarts{" + selector + "} >= 2").size()
                      == 1);
      annotate(fleet, sick, "nodedaemon.dev/fake", "notready");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  prometheus
                          .query(
                              "nodedaemon_node_pod_restarts{"
                                  + selector
                                  + "} >= 2 and on (node) nodedaemon_node_pod_ready{"
                                  + selector
                                  + "} == 0")
                          .size()
                      == 1);
      // The range ends after a scrape that followed the end state: a scenario of a few seconds
      // has its samples within the last second, which whole-second bounds would cut off.
      Instant settled = Instant.now();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  scalar(prometheus, "timestamp(nodedaemon_desired_nodes{" + selector + "})")
                      > settled.getEpochSecond() + 1);
      Instant end = Instant.now();
      Map<String, String> variables = new LinkedHashMap<>();
      variables.put("$namespace", fleet.namespace());
      variables.put("$nodedaemon", "agent");
      variables.put("$__rate_interval", "10s");
      variables.put("$__range", (Duration.between(start, end).toSeconds() + 30) + "s");
      List<String> empty = new ArrayList<>();
      List<String> flat = new ArrayList<>();
      int queries = 0;
      for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
        for (JsonNode target : panel.path("targets")) {
          String expr = target.path("expr").asText();
          for (Map.Entry<String, String> variable : variables.entrySet()) {
            expr = expr.replace(variable.getKey(), variable.getValue());
          }
          assertThat(expr).as(panel.path("title").asText()).doesNotContain("$");
          queries++;
          JsonNode result = prometheus.queryRange(expr, start, end, Duration.ofSeconds(1));
          String name = refName(panel, target) + ": " + expr;
          if (result.isEmpty()) {
            empty.add(name);
          } else if (!anyNonZero(result) && !ZERO_BY_DESIGN.contains(refName(panel, target))) {
            flat.add(name); // a histogram that observed nothing, a counter that never moved
          }
        }
      }
      System.out.printf(
          "MetricsDashboardIT: %d panel queries over %ds of data, %d empty, %d only 0 or NaN%n",
          queries, Duration.between(start, end).toSeconds(), empty.size(), flat.size());
      assertThat(flat).as("panel queries whose every value is 0 or NaN").isEmpty();
      assertThat(queries).isGreaterThanOrEqualTo(20);
      assertThat(empty)
          .as(
              "panel queries without data; the operator's SDK series: "
                  + operator
                      .get("/q/metrics")
                      .body()
                      .lines()
                      .filter(l -> l.startsWith("operator_sdk"))
                      .toList())
          .isEmpty();
    } finally {
      prometheus.close();
    }
    assertThat(prometheus.isAlive()).as("Prometheus stopped").isFalse();
  }

  /**
   * Panel queries that are 0 throughout this story by design, each for its reason; every other
   * query must show a value other than 0 (a histogram that observed nothing, a counter that never
   * moved, would otherwise pass).
   */
  private static final java.util.Set<String> ZERO_BY_DESIGN =
      java.util.Set.of(
          "Nodes E", // misscheduled: no node here stops qualifying while keeping its pod
          "Rollout step and failed nodes B", // failed now: the gate's rollback clears it between
          // two scrapes; the gate failures panel counts it
          "Reconciliations C", // failed reconciles: none fails
          "Reconcile queue A", // queued and running reconciles: 0 between two reconciles, and a
          "Reconcile queue B"); // reconcile takes milliseconds, so a scrape seldom sees one

  private static void annotate(TestFleet fleet, String pod, String key, String value) {
    fleet
        .client()
        .pods()
        .inNamespace(fleet.namespace())
        .withName(pod)
        .edit(
            p -> {
              p.getMetadata().getAnnotations().put(key, value);
              return p;
            });
  }

  private static String refName(JsonNode panel, JsonNode target) {
    return panel.path("title").asText() + " " + target.path("refId").asText();
  }

  /** Whether any sample of a range query's matrix is a number other than 0. */
  private static boolean anyNonZero(JsonNode matrix) {
    for (JsonNode series : matrix) {
      for (JsonNode sample : series.path("values")) {
        double value = sample.get(1).asDouble(Double.NaN);
        if (!Double.isNaN(value) && value != 0) {
          return true;
        }
      }
    }
    return false;
  }

  private static double scalar(PrometheusServer prometheus, String promql) {
    JsonNode result = prometheus.query(promql);
    assertThat(result).as(promql).hasSize(1);
    return result.get(0).path("value").get(1).asDouble();
  }

  private static Predicate<NodeDaemon> complete(String image) {
    return nd ->
        nd.getStatus() != null
            && nd.getStatus().getPhase() == RolloutPhase.Complete
            && nd.getMetadata().getGeneration().equals(nd.getStatus().getObservedGeneration())
            && image.equals(nd.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
  }
}
