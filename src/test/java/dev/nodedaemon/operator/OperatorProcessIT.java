package dev.nodedaemon.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.OperatorProcess;
import dev.nodedaemon.testing.SharedCluster;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged operator starts against a real API server, installs its CRD, reconciles a
 * NodeDaemon, serves health and metrics, and stops cleanly on SIGTERM.
 */
class OperatorProcessIT {

  private final LocalCluster cluster = SharedCluster.get();
  private final KubernetesClient client = cluster.client();

  @Test
  void startsInstallsItsCrdReconcilesServesHealthAndMetricsAndStopsCleanly() {
    TestFleet fleet = new TestFleet("op");
    String ns = fleet.namespace();

    SharedOperator.stop(); // one writer at a time
    OperatorProcess operator = OperatorProcess.start(cluster, "process-it", Map.of());
    try {
      CustomResourceDefinition crd =
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName("nodedaemons.nodedaemon.dev")
              .get();
      assertThat(crd).as("CRD installed by the operator").isNotNull();
      assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("nd");

      NodeDaemon created =
          client
              .resources(NodeDaemon.class)
              .inNamespace(ns)
              .resource(fleet.logAgent("log-agent"))
              .create();

      NodeDaemon observed =
          client
              .resources(NodeDaemon.class)
              .inNamespace(ns)
              .withName("log-agent")
              .waitUntilCondition(
                  nd ->
                      nd != null
                          && nd.getStatus() != null
                          && created
                              .getMetadata()
                              .getGeneration()
                              .equals(nd.getStatus().getObservedGeneration()),
                  60,
                  TimeUnit.SECONDS);
      assertThat(observed.getStatus().getObservedGeneration()).isEqualTo(1L);

      assertThat(operator.get("/q/health/live").status()).isEqualTo(200);
      OperatorProcess.HttpResult ready = operator.get("/q/health/ready");
      assertThat(ready.status()).isEqualTo(200);
      OperatorProcess.HttpResult metrics = operator.get("/q/metrics");
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.body()).contains("jvm_memory_used_bytes");
    } finally {
      int exit = operator.stop(Duration.ofSeconds(30));
      assertThat(exit).as("exit code after SIGTERM" + operator.logTail()).isIn(0, 143);
    }
    // The whole log, not its tail: other tests' NodeDaemons may be reconciling while this process
    // stops, and their log lines can follow ours.
    assertThat(operator.logText()).as(operator.logTail()).contains("NodeDaemon operator stopped");
  }
}
