package dev.nodedaemon.api;

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
 * Every admission rule of the CRD, applied with kubectl to a real API server: the bad object is
 * refused with the message a user should see, and a good one is accepted.
 */
class AdmissionValidationIT {

  private static final String NS = "validation";
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

  /** A valid NodeDaemon with {@code specExtra} spliced into its spec. */
  private static String nodeDaemon(String name, String selector, String labels, String specExtra) {
    return """
        apiVersion: nodedaemon.dev/v1alpha1
        kind: NodeDaemon
        metadata:
          name: %s
          namespace: %s
        spec:
          selector:
        %s
          template:
            metadata:
              labels:
        %s
            spec:
              containers:
              - name: agent
                image: agent:1
        %s
        """
        .formatted(name, NS, selector, labels, specExtra);
  }

  private static final String SELECTOR = "    matchLabels: {app: agent}";
  private static final String LABELS = "        app: agent";

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "empty selector",
            nodeDaemon("empty-selector", "    matchLabels: {}", LABELS, ""),
            "selector must not be empty"),
        Arguments.of(
            "selector not matching the template",
            nodeDaemon("mismatch", "    matchLabels: {app: other}", LABELS, ""),
            "selector does not match template labels"),
        Arguments.of(
            "matchExpressions not matching the template",
            nodeDaemon(
                "mismatch-expr",
                "    matchExpressions: [{key: tier, operator: In, values: [node]}]",
                LABELS,
                ""),
            "selector does not match template labels"),
        Arguments.of(
            "bad selector operator",
            nodeDaemon(
                "bad-operator", "    matchExpressions: [{key: app, operator: Has}]", LABELS, ""),
            "operator must be one of In, NotIn, Exists, DoesNotExist"),
        Arguments.of(
            "restartPolicy Never",
            nodeDaemon("never", SELECTOR, LABELS, "      restartPolicy: Never"),
            "template.spec.restartPolicy must be Always"),
        Arguments.of(
            "negative minReadySeconds",
            nodeDaemon("negative", SELECTOR, LABELS, "  minReadySeconds: -1"),
            "spec.minReadySeconds: Invalid value: -1"),
        Arguments.of(
            "negative revisionHistoryLimit",
            nodeDaemon("negative-history", SELECTOR, LABELS, "  revisionHistoryLimit: -3"),
            "spec.revisionHistoryLimit: Invalid value: -3"),
        Arguments.of(
            "malformed percentage",
            nodeDaemon(
                "bad-percent",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {maxUnavailable: 'ten%'}}"),
            "must be a non-negative integer or a percentage from 0% to 100%"),
        Arguments.of(
            "percentage over 100",
            nodeDaemon(
                "over-percent",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {maxUnavailable: '150%'}}"),
            "must be a non-negative integer or a percentage from 0% to 100%"),
        Arguments.of(
            "malformed partition",
            nodeDaemon(
                "bad-partition",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {partition: '5 nodes'}}"),
            "must be a non-negative integer or a percentage from 0% to 100%"),
        Arguments.of(
            "negative maxSurge",
            nodeDaemon(
                "negative-surge",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: -1}}"),
            "must be a non-negative integer or a percentage from 0% to 100%"),
        Arguments.of(
            "both zero",
            nodeDaemon(
                "both-zero",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: '0%'}}"),
            "maxUnavailable and maxSurge cannot both be 0"),
        Arguments.of(
            "both non-zero",
            nodeDaemon(
                "both-set",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {maxUnavailable: 1, maxSurge: '10%'}}"),
            "maxUnavailable and maxSurge cannot both be non-zero"),
        Arguments.of(
            "a name too long for a label value",
            nodeDaemon("a".repeat(64), SELECTOR, LABELS, ""),
            "metadata.name must be at most 63 characters"),
        Arguments.of(
            "a selector of NotIn alone",
            nodeDaemon(
                "notin-only",
                "    matchExpressions: [{key: app, operator: NotIn, values: [web]}]",
                LABELS,
                ""),
            "selector needs a matchLabels entry or an In or Exists expression"),
        Arguments.of(
            "a container without an image",
            """
            apiVersion: nodedaemon.dev/v1alpha1
            kind: NodeDaemon
            metadata: {name: no-image, namespace: %s}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  containers: [{name: agent}]
            """
                .formatted(NS),
            "spec.template.spec.containers[0].image: Required value"),
        Arguments.of(
            "two containers of one name",
            """
            apiVersion: nodedaemon.dev/v1alpha1
            kind: NodeDaemon
            metadata: {name: same-name, namespace: %s}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  containers: [{name: agent, image: a:1}, {name: agent, image: b:1}]
            """
                .formatted(NS),
            "Duplicate value"),
        Arguments.of(
            "steps whose counts fall",
            nodeDaemon(
                "steps-fall",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {steps: [{nodes: 5}, {nodes: 2}]}}"),
            "steps must expose more nodes from one step to the next"),
        Arguments.of(
            "steps whose percentages repeat",
            nodeDaemon(
                "steps-repeat",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {steps: [{nodes: 1}, {nodes: '50%'},"
                    + " {nodes: '50%'}]}}"),
            "steps must expose more nodes from one step to the next"),
        Arguments.of(
            "a step over 100%",
            nodeDaemon(
                "step-over",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {steps: [{nodes: '150%'}]}}"),
            "should match '^(100|[1-9][0-9]?)%$'"),
        Arguments.of(
            "a step of no node",
            nodeDaemon(
                "step-zero",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {steps: [{nodes: 0}]}}"),
            "should be greater than or equal to 1"),
        Arguments.of(
            "a soak that is not a duration",
            nodeDaemon(
                "step-soak",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {steps: [{nodes: 1, pause: {duration: ten}}]}}"),
            "must be a duration such as 90s, 10m or 1h30m"),
        Arguments.of(
            "more than 8 steps",
            nodeDaemon(
                "steps-many",
                SELECTOR,
                LABELS,
                "  updateStrategy: {rollingUpdate: {steps: [{nodes: 1}, {nodes: 2}, {nodes: 3},"
                    + " {nodes: 4}, {nodes: 5}, {nodes: 6}, {nodes: 7}, {nodes: 8}, {nodes: 9}]}}"),
            "must have at most 8 items"),
        Arguments.of(
            "a health gate threshold of no node",
            nodeDaemon("gate-zero", SELECTOR, LABELS, "  healthGates: {maxFailedNodes: '0%'}"),
            "must be a positive integer or a percentage from 1% to 100%"),
        Arguments.of(
            "a ready timeout that is not a duration",
            nodeDaemon("gate-timeout", SELECTOR, LABELS, "  healthGates: {readyTimeout: 5}"),
            "spec.healthGates.readyTimeout"),
        Arguments.of(
            "an unknown gate action",
            nodeDaemon("gate-action", SELECTOR, LABELS, "  healthGates: {onFailure: Ignore}"),
            "Unsupported value: \"Ignore\""),
        Arguments.of(
            "unknown strategy type",
            nodeDaemon("bad-type", SELECTOR, LABELS, "  updateStrategy: {type: Recreate}"),
            "Unsupported value: \"Recreate\""),
        Arguments.of(
            "a container name the API server refuses for pods",
            nodeDaemon("bad-container-name", SELECTOR, LABELS, "")
                .replace("- name: agent", "- name: Bad_Name"),
            "spec.template.spec.containers[0].name in body should match"),
        Arguments.of(
            "a container port out of range",
            nodeDaemon("bad-port", SELECTOR, LABELS, "")
                .replace(
                    "image: agent:1", "image: agent:1\n        ports: [{containerPort: 70000}]"),
            "should be less than or equal to 65535"),
        Arguments.of(
            "an unknown image pull policy",
            nodeDaemon("bad-pull", SELECTOR, LABELS, "")
                .replace("image: agent:1", "image: agent:1\n        imagePullPolicy: Sometimes"),
            "Unsupported value: \"Sometimes\""),
        Arguments.of(
            "no containers",
            """
            apiVersion: nodedaemon.dev/v1alpha1
            kind: NodeDaemon
            metadata: {name: no-containers, namespace: %s}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  containers: []
            """
                .formatted(NS),
            "template.spec.containers must name at least one container"),
        Arguments.of(
            "no selector",
            """
            apiVersion: nodedaemon.dev/v1alpha1
            kind: NodeDaemon
            metadata: {name: no-selector, namespace: %s}
            spec:
              template:
                metadata: {labels: {app: agent}}
                spec:
                  containers: [{name: agent, image: agent:1}]
            """
                .formatted(NS),
            "spec.selector: Required value"));
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

  /** The pod template's fields are described, as a DaemonSet's are: kubectl explain shows it. */
  @Test
  void kubectlExplainDescribesTheFieldsBelowTheTemplate() {
    // The API server publishes a new CRD's schema in its OpenAPI a moment after it is installed.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                cluster
                    .tryKubectl("", "explain", "nodedaemons.spec.template.spec.containers.image")
                    .ok());
    assertThat(cluster.kubectl("explain", "nodedaemons.spec.template.spec.containers.image"))
        .contains("Container image name");
    assertThat(cluster.kubectl("explain", "nodedaemons.spec.template.spec.volumes.hostPath"))
        .contains("hostPath represents a pre-existing file or directory on the host");
  }

  @Test
  void acceptsAValidNodeDaemonWithSurgeAndPercentages() {
    String manifest =
        nodeDaemon(
            "valid",
            SELECTOR,
            LABELS,
            "  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: '10%'}}");
    Commands.Result result = cluster.tryKubectl(manifest, "apply", "-f", "-");
    assertThat(result.ok()).as(result.stderr()).isTrue();
    assertThat(result.stdout()).contains("nodedaemon.nodedaemon.dev/valid created");
  }

  @Test
  void acceptsStagedRolloutsForALogShipperAndACniDriver() {
    String logShipper =
        nodeDaemon(
            "log-shipper",
            SELECTOR,
            LABELS,
            """
              updateStrategy:
                rollingUpdate:
                  maxUnavailable: 10%
                  steps:
                  - nodes: 1
                    pause: {duration: 5m}
                  - nodes: 10%
                    pause: {duration: 10m}
                  - nodes: 100%
              healthGates: {maxRestarts: 3, readyTimeout: 3m, onFailure: Rollback}"""
                .indent(2)
                .stripTrailing());
    String cniDriver =
        nodeDaemon(
            "cni-driver",
            SELECTOR,
            LABELS,
            """
              updateStrategy:
                rollingUpdate:
                  maxUnavailable: 1
                  strict: true
                  notReadyNodes: Skip
                  steps:
                  - nodes: 1
                    pause: {}
                  - nodes: 5
                    pause: {duration: 30m}
                  - nodes: 25%
                    pause: {}
                  - nodes: 100%
              healthGates: {maxFailedNodes: 1, nodeNotReadyWindow: 15m, onFailure: Pause}"""
                .indent(2)
                .stripTrailing());
    for (String manifest : java.util.List.of(logShipper, cniDriver)) {
      Commands.Result result = cluster.tryKubectl(manifest, "apply", "-f", "-");
      assertThat(result.ok()).as(result.stderr()).isTrue();
    }
  }

  @Test
  void theSelectorCannotChange() {
    String original =
        nodeDaemon(
            "immutable",
            "    matchLabels: {app: agent}",
            "        app: agent\n        tier: node",
            "");
    assertThat(cluster.tryKubectl(original, "apply", "-f", "-").ok()).isTrue();

    String changed =
        nodeDaemon(
            "immutable",
            "    matchLabels: {app: agent, tier: node}",
            "        app: agent\n        tier: node",
            "");
    Commands.Result result = cluster.tryKubectl(changed, "apply", "-f", "-");

    assertThat(result.ok()).isFalse();
    assertThat(result.stderr()).contains("selector is immutable");
  }
}
