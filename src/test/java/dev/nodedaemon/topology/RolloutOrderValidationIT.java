package dev.nodedaemon.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.config.CrdInstaller;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.SharedCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rollout order, per-domain budget and pre-pull fields at {@code kubectl apply} on a real API
 * server: bad values are refused with the message a user should see; the documented example is
 * accepted (docs/rollout-order.md).
 */
class RolloutOrderValidationIT {

  private static final String NS = "order-validation";
  private static LocalCluster cluster;

  @BeforeAll
  static void installCrd() {
    cluster = SharedCluster.get();
    new CrdInstaller(cluster.client()).installAndWait(Duration.ofSeconds(60));
    if (cluster.client().namespaces().withName(NS).get() == null) {
      cluster
          .client()
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
          .create();
    }
  }

  private static String withRollingUpdate(String name, String rollingUpdate) {
    return """
        apiVersion: nodedaemon.dev/v1alpha1
        kind: NodeDaemon
        metadata: {name: %s, namespace: %s}
        spec:
          selector: {matchLabels: {app: agent}}
          template:
            metadata: {labels: {app: agent}}
            spec:
              containers: [{name: agent, image: agent:1}]
          updateStrategy:
            rollingUpdate:
        %s
        """
        .formatted(name, NS, rollingUpdate.indent(6).stripTrailing());
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "a per-domain budget without a topology key",
            withRollingUpdate("no-key", "maxUnavailablePerDomain: 1"),
            "maxUnavailablePerDomain needs order.topologyKey"),
        Arguments.of(
            "a per-domain budget of 0%",
            withRollingUpdate(
                "zero",
                "maxUnavailablePerDomain: '0%'\norder: {topologyKey: topology.kubernetes.io/zone}"),
            "must be a positive integer or a percentage from 1% to 100%"),
        Arguments.of(
            "a topology key that is not a label key",
            withRollingUpdate("bad-key", "order: {topologyKey: 'zone name/with spaces'}"),
            "spec.updateStrategy.rollingUpdate.order.topologyKey"),
        Arguments.of(
            "an unknown domain mode",
            withRollingUpdate(
                "bad-mode",
                "order: {topologyKey: topology.kubernetes.io/zone, domains: AllAtOnce}"),
            "Unsupported value: \"AllAtOnce\""),
        Arguments.of(
            "more than 8 priority selectors",
            withRollingUpdate(
                "too-many",
                "order:\n  priority: [{matchLabels: {a: '1'}}, {matchLabels: {a: '2'}},"
                    + " {matchLabels: {a: '3'}}, {matchLabels: {a: '4'}}, {matchLabels: {a: '5'}},"
                    + " {matchLabels: {a: '6'}}, {matchLabels: {a: '7'}}, {matchLabels: {a: '8'}},"
                    + " {matchLabels: {a: '9'}}]"),
            "must have at most 8 items"),
        Arguments.of(
            "a priority selector with an unknown operator",
            withRollingUpdate(
                "bad-op",
                "order:\n  priority: [{matchExpressions: [{key: pool, operator: Near}]}]"),
            "operator must be one of In, NotIn, Exists, DoesNotExist"),
        Arguments.of(
            "a pre-pull of no node ahead",
            withRollingUpdate("prepull-zero", "prePull: {nodesAhead: 0}"),
            "spec.updateStrategy.rollingUpdate.prePull.nodesAhead"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesAtApply(String name, String manifest, String message) {
    Commands.Result result = cluster.tryKubectl(manifest, "apply", "-f", "-");
    assertThat(result.ok())
        .as("kubectl apply of %s should fail:%n%s", name, result.stdout())
        .isFalse();
    assertThat(result.stderr()).contains(message);
  }

  @Test
  void acceptsTheDocumentedOrder() {
    String manifest =
        withRollingUpdate(
            "documented",
            """
            maxUnavailable: 10%
            maxUnavailablePerDomain: 1
            strict: true
            prePull: {nodesAhead: 5, maxConcurrent: 2}
            order:
              priority:
              - matchLabels: {canary: "true"}
              - matchExpressions:
                - {key: pool, operator: In, values: [gpu, edge]}
              topologyKey: topology.kubernetes.io/zone""");
    Commands.Result result = cluster.tryKubectl(manifest, "apply", "-f", "-");
    assertThat(result.ok()).as(result.stderr()).isTrue();
  }
}
