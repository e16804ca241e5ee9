package dev.nodedaemon.olm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OLM bundle that {@code ./mvnw package} generates into target/bundle/nodedaemon-operator:
 * checked by the operator framework's own validators (hack/olm-validate), shown to catch a broken
 * CSV, carrying CrdWriter's CRD byte for byte, and equal to the copy committed under bundle/.
 */
class OlmBundleIT {

  private static final Path PROJECT = LocalCluster.projectDir();
  private static final Path BUNDLE = PROJECT.resolve("target/bundle/nodedaemon-operator");
  private static final Path COMMITTED = PROJECT.resolve("bundle/nodedaemon-operator");
  private static final String CSV = "manifests/nodedaemon-operator.clusterserviceversion.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void generatedBundlePassesTheOperatorFrameworkValidatorsWithoutErrors() {
    Commands.Result result = validate(BUNDLE, true);
    System.out.println(result.stdout());
    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(result.stdout()).contains("package nodedaemon-operator").contains(": 0 error(s)");
  }

  @Test
  void validatorRejectsACsvWithoutItsInstallStrategy(@TempDir Path temp) throws IOException {
    Path broken = copyBundle(temp);
    ObjectNode csv = (ObjectNode) YAML.readTree(broken.resolve(CSV).toFile());
    ((ObjectNode) csv.get("spec")).remove("install");
    YAML.writeValue(broken.resolve(CSV).toFile(), csv);

    Commands.Result result = validate(broken, false);
    System.out.println(result.stdout());
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stdout()).contains("ERROR").doesNotContain(": 0 error(s)");
  }

  @Test
  void validatorRejectsABundleWithoutItsOwnedCrd(@TempDir Path temp) throws IOException {
    Path broken = copyBundle(temp);
    Files.delete(broken.resolve("manifests/nodedaemons.nodedaemon.dev-v1.crd.yml"));

    Commands.Result result = validate(broken, false);
    System.out.println(result.stdout());
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stdout()).contains("owned CRD").contains("Kind=NodeDaemon");
  }

  @Test
  void bundleCrdIsTheCrdWriterFile() throws IOException {
    byte[] crdWriters =
        Files.readAllBytes(
            PROJECT.resolve("target/classes/META-INF/fabric8/nodedaemons.nodedaemon.dev-v1.yml"));
    assertThat(BUNDLE.resolve("manifests/nodedaemons.nodedaemon.dev-v1.crd.yml"))
        .hasBinaryContent(crdWriters);
  }

  @Test
  void csvDescribesTheOperator() throws IOException {
    JsonNode csv = YAML.readTree(BUNDLE.resolve(CSV).toFile());
    JsonNode spec = csv.get("spec");
    assertThat(csv.at("/metadata/name").asText()).isEqualTo("nodedaemon-operator.v0.1.0");
    assertThat(spec.at("/customresourcedefinitions/owned/0/name").asText())
        .isEqualTo("nodedaemons.nodedaemon.dev");
    assertThat(spec.at("/icon/0/mediatype").asText()).isEqualTo("image/svg+xml");
    assertThat(spec.at("/icon/0/base64data").asText()).isNotBlank();
    assertThat(spec.get("keywords")).isNotEmpty();
    assertThat(spec.get("maintainers")).isNotEmpty();
    assertThat(spec.at("/provider/name").asText()).isNotBlank();
    assertThat(spec.get("links")).isNotEmpty();
    assertThat(spec.get("minKubeVersion").asText()).isNotBlank();
    assertThat(spec.get("installModes")).hasSize(4);

    JsonNode install = spec.at("/install/spec");
    assertThat(rules(install.get("clusterPermissions")))
        .as("cluster-wide: only nodes")
        .containsExactly(Map.entry("/nodes", List.of("list", "watch")));
    assertThat(rules(install.get("permissions")))
        .containsOnlyKeys(
            "/pods",
            "apps/controllerrevisions",
            "/events",
            "nodedaemon.dev/nodedaemons",
            "nodedaemon.dev/nodedaemons/status",
            "nodedaemon.dev/nodedaemons/finalizers",
            "coordination.k8s.io/leases")
        .containsEntry("nodedaemon.dev/nodedaemons", List.of("get", "list", "watch", "patch"))
        .containsEntry("/pods", List.of("list", "watch", "create", "delete", "patch"));

    JsonNode env = install.at("/deployments/0/spec/template/spec/containers/0/env");
    assertThat(env.findValuesAsText("name")).contains("NODEDAEMON_CRD_INSTALL");
  }

  /**
   * The CSV's Deployment runs as the Helm chart's does: two replicas with leader election (Lease in
   * the operator's namespace, identity the pod's name), and pods that meet the restricted Pod
   * Security Standard without a fixed UID, so OpenShift's restricted-v2 SCC admits them.
   */
  @Test
  void csvDeploymentIsHighlyAvailableAndRestricted() throws IOException {
    JsonNode csv = YAML.readTree(BUNDLE.resolve(CSV).toFile());
    JsonNode deployment = csv.at("/spec/install/spec/deployments/0/spec");
    assertThat(deployment.get("replicas").asInt()).isEqualTo(2);

    JsonNode pod = deployment.at("/template/spec");
    JsonNode container = pod.at("/containers/0");
    Map<String, JsonNode> env = new TreeMap<>();
    container.get("env").forEach(e -> env.put(e.get("name").asText(), e));
    assertThat(env.get("NODEDAEMON_LEADER_ELECTION_ENABLED").get("value").asText())
        .isEqualTo("true");
    assertThat(
            env.get("NODEDAEMON_LEADER_ELECTION_LEASE_NAMESPACE")
                .at("/valueFrom/fieldRef/fieldPath")
                .asText())
        .isEqualTo("metadata.namespace");
    assertThat(
            env.get("NODEDAEMON_LEADER_ELECTION_IDENTITY")
                .at("/valueFrom/fieldRef/fieldPath")
                .asText())
        .isEqualTo("metadata.name");

    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
    assertThat(pod.at("/securityContext/runAsUser").isMissingNode()).as("no fixed UID").isTrue();
    assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.at("/securityContext/capabilities/drop/0").asText()).isEqualTo("ALL");
    assertThat(container.at("/securityContext/runAsUser").isMissingNode()).isTrue();
    assertThat(container.get("volumeMounts").findValuesAsText("mountPath")).contains("/tmp");

    JsonNode related = csv.at("/spec/relatedImages");
    assertThat(related.findValuesAsText("image"))
        .as("relatedImages name the operator's image, for disconnected mirroring")
        .contains(container.get("image").asText());
  }

  /** The scorecard configuration the build adds to the bundle: the basic and OLM suites. */
  @Test
  void bundleCarriesAScorecardConfiguration() throws IOException {
    JsonNode config = YAML.readTree(BUNDLE.resolve("tests/scorecard/config.yaml").toFile());
    assertThat(config.get("apiVersion").asText())
        .isEqualTo("scorecard.operatorframework.io/v1alpha3");
    assertThat(config.get("kind").asText()).isEqualTo("Configuration");
    JsonNode tests = config.at("/stages/0/tests");
    assertThat(tests.findValuesAsText("suite")).contains("basic", "olm");
    assertThat(tests.findValuesAsText("test"))
        .contains("basic-check-spec-test", "olm-bundle-validation-test");
    JsonNode annotations = YAML.readTree(BUNDLE.resolve("metadata/annotations.yaml").toFile());
    assertThat(
            annotations
                .at("/annotations")
                .get("operators.operatorframework.io.test.config.v1")
                .asText())
        .isEqualTo("tests/scorecard/");
    assertThat(
            annotations
                .at("/annotations")
                .get("operators.operatorframework.io.test.mediatype.v1")
                .asText())
        .isEqualTo("scorecard+v1");
    assertThat(Files.readString(BUNDLE.resolve("bundle.Dockerfile")))
        .contains("LABEL operators.operatorframework.io.test.config.v1=tests/scorecard/")
        .contains("COPY tests/scorecard /tests/scorecard/");
    for (JsonNode test : tests) {
      assertThat(test.at("/entrypoint/0").asText()).isEqualTo("scorecard-test");
      assertThat(test.get("image").asText())
          .matches("quay\\.io/operator-framework/scorecard-test:v[0-9]+\\.[0-9]+\\.[0-9]+");
    }
  }

  @Test
  void almExampleIsTheFluentdSample() throws IOException {
    JsonNode csv = YAML.readTree(BUNDLE.resolve(CSV).toFile());
    JsonNode examples = YAML.readTree(csv.at("/metadata/annotations/alm-examples").asText());
    JsonNode sample =
        YAML.readTree(PROJECT.resolve("config/samples/fluentd-elasticsearch.yaml").toFile());
    assertThat(examples).hasSize(1);
    assertThat(examples.get(0)).isEqualTo(sample);
  }

  @Test
  void committedBundleMatchesTheGeneratedOne() throws IOException {
    assertThat(files(COMMITTED))
        .as(
            "bundle/ is out of date: rm -rf bundle/nodedaemon-operator && "
                + "cp -r target/bundle/nodedaemon-operator bundle/")
        .isEqualTo(files(BUNDLE));
  }

  private static Commands.Result validate(Path bundle, boolean optional) {
    List<String> command =
        new ArrayList<>(List.of(PROJECT.resolve("hack/olm-validate").toString()));
    if (optional) {
      command.add("--optional");
    }
    command.add(bundle.toString());
    return Commands.tryRun(Duration.ofMinutes(10), command, null);
  }

  /**
   * Relative path to content: YAML files parsed, since the generator writes some maps (the pod
   * template's labels) in no stable order; other files as text.
   */
  private static Map<String, Object> files(Path root) throws IOException {
    Map<String, Object> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        String name = root.relativize(path).toString();
        files.put(
            name,
            name.endsWith(".yaml") || name.endsWith(".yml")
                ? YAML.readTree(path.toFile())
                : Files.readString(path));
      }
    }
    return files;
  }

  /** apiGroup/resource to verbs, over every rule of every service account. */
  private static Map<String, List<String>> rules(JsonNode permissions) {
    Map<String, List<String>> rules = new TreeMap<>();
    for (JsonNode permission : permissions) {
      for (JsonNode rule : permission.get("rules")) {
        List<String> verbs = new ArrayList<>();
        rule.get("verbs").forEach(verb -> verbs.add(verb.asText()));
        for (JsonNode group : rule.get("apiGroups")) {
          for (JsonNode resource : rule.get("resources")) {
            rules.put(group.asText() + "/" + resource.asText(), verbs);
          }
        }
      }
    }
    return rules;
  }

  private static Path copyBundle(Path temp) throws IOException {
    Path copy = temp.resolve("bundle");
    try (Stream<Path> paths = Files.walk(BUNDLE)) {
      paths.forEach(
          source -> {
            try {
              Files.copy(source, copy.resolve(BUNDLE.relativize(source).toString()));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    return copy;
  }
}
