package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.Helm;
import dev.nodedaemon.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's optional ServiceMonitor against the Prometheus Operator's own CRD (a pinned release,
 * fetched by {@code hack/servicemonitor-crd} from the Go module proxy): the API server, with strict
 * field validation, accepts it and keeps every field; a misspelt field or a wrong type is refused,
 * so the check can fail.
 */
class ServiceMonitorIT {

  private static final String NAMESPACE = "monitoring-check";

  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.up("servicemonitor-" + ProcessHandle.current().pid(), 0);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theChartsServiceMonitorIsValidForThePrometheusOperatorsCrd() {
    String crd =
        Commands.run(
                Duration.ofMinutes(5),
                List.of(LocalCluster.projectDir().resolve("hack/servicemonitor-crd").toString()))
            .trim();
    cluster.kubectl("apply", "--server-side", "-f", crd);
    cluster.kubectl(
        "wait",
        "--for=condition=Established",
        "crd/servicemonitors.monitoring.coreos.com",
        "--timeout=60s");
    cluster
        .client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();

    List<HasMetadata> objects =
        Helm.on(cluster)
            .template(
                Helm.CHART,
                "--namespace",
                NAMESPACE,
                "--set",
                "metrics.serviceMonitor.enabled=true",
                "--set",
                "metrics.serviceMonitor.labels.release=prometheus",
                "--set",
                "metrics.serviceMonitor.interval=15s",
                "--set-json",
                "metrics.serviceMonitor.relabelings=[{\"targetLabel\": \"cluster\","
                    + " \"replacement\": \"eu-1\", \"action\": \"replace\"}]",
                "--set-json",
                "metrics.serviceMonitor.metricRelabelings=[{\"sourceLabels\": [\"__name__\"],"
                    + " \"regex\": \"nodedaemon_node_.*\", \"action\": \"drop\"}]");
    GenericKubernetesResource monitor =
        objects.stream()
            .filter(o -> "ServiceMonitor".equals(o.getKind()))
            .map(GenericKubernetesResource.class::cast)
            .findFirst()
            .orElseThrow();

    Commands.Result applied = applyStrictly(monitor);
    assertThat(applied.ok()).as(applied.stderr()).isTrue();

    GenericKubernetesResource stored =
        cluster
            .client()
            .genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor")
            .inNamespace(NAMESPACE)
            .withName(monitor.getMetadata().getName())
            .get();
    assertThat(stored.getMetadata().getLabels()).containsEntry("release", "prometheus");
    Map<String, Object> sent = spec(monitor);
    Map<String, Object> kept = spec(stored);
    assertThat(kept.get("selector")).isEqualTo(sent.get("selector"));
    assertThat(endpoint(kept))
        .as("no field of the endpoint was pruned as unknown")
        .containsAllEntriesOf(endpoint(sent))
        .containsEntry("interval", "15s")
        .containsEntry("honorLabels", true)
        .containsKeys("relabelings", "metricRelabelings");

    // The check has teeth: a misspelt field and a malformed duration are refused.
    endpoint(sent).put("intervall", "30s");
    Commands.Result misspelt = applyStrictly(monitor);
    assertThat(misspelt.ok()).isFalse();
    assertThat(misspelt.stderr()).contains("unknown field").contains("intervall");
    endpoint(sent).remove("intervall");
    endpoint(sent).put("interval", "every minute");
    Commands.Result malformed = applyStrictly(monitor);
    assertThat(malformed.ok()).isFalse();
    assertThat(malformed.stderr()).contains("interval");
  }

  /**
   * The chart's PrometheusRule against the same release's PrometheusRule CRD: accepted with strict
   * validation and nothing pruned, and a rule with a misspelt field is refused.
   */
  @Test
  void theChartsPrometheusRuleIsValidForThePrometheusOperatorsCrd() {
    String serviceMonitorCrd =
        Commands.run(
                Duration.ofMinutes(5),
                List.of(LocalCluster.projectDir().resolve("hack/servicemonitor-crd").toString()))
            .trim();
    String crd =
        java.nio.file.Path.of(serviceMonitorCrd)
            .resolveSibling("monitoring.coreos.com_prometheusrules.yaml")
            .toString();
    cluster.kubectl("apply", "--server-side", "-f", crd);
    cluster.kubectl(
        "wait",
        "--for=condition=Established",
        "crd/prometheusrules.monitoring.coreos.com",
        "--timeout=60s");
    String namespace = "rules-check";
    cluster
        .client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();

    GenericKubernetesResource rule =
        Helm.on(cluster)
            .template(
                Helm.CHART,
                "--namespace",
                namespace,
                "--set",
                "metrics.prometheusRule.enabled=true",
                "--set",
                "metrics.prometheusRule.additionalAlertLabels.team=platform")
            .stream()
            .filter(o -> "PrometheusRule".equals(o.getKind()))
            .map(GenericKubernetesResource.class::cast)
            .findFirst()
            .orElseThrow();
    Commands.Result applied =
        cluster.tryKubectl(
            Serialization.asYaml(rule), "apply", "--validate=strict", "-n", namespace, "-f", "-");
    assertThat(applied.ok()).as(applied.stderr()).isTrue();
    GenericKubernetesResource stored =
        cluster
            .client()
            .genericKubernetesResources("monitoring.coreos.com/v1", "PrometheusRule")
            .inNamespace(namespace)
            .withName(rule.getMetadata().getName())
            .get();
    assertThat(spec(stored)).as("no field pruned").isEqualTo(spec(rule));

    @SuppressWarnings("unchecked")
    Map<String, Object> first =
        ((List<Map<String, Object>>)
                ((List<Map<String, Object>>) spec(rule).get("groups")).getFirst().get("rules"))
            .getFirst();
    first.put("fore", "5m");
    Commands.Result misspelt =
        cluster.tryKubectl(
            Serialization.asYaml(rule), "apply", "--validate=strict", "-n", namespace, "-f", "-");
    assertThat(misspelt.ok()).isFalse();
    assertThat(misspelt.stderr()).contains("unknown field").contains("fore");
  }

  /** kubectl apply with strict field validation: unknown or duplicate fields are errors. */
  private static Commands.Result applyStrictly(GenericKubernetesResource monitor) {
    return cluster.tryKubectl(
        Serialization.asYaml(monitor), "apply", "--validate=strict", "-n", NAMESPACE, "-f", "-");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> endpoint(Map<String, Object> spec) {
    return ((List<Map<String, Object>>) spec.get("endpoints")).getFirst();
  }
}
