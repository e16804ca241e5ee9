package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nodedaemon.api.FailurePolicy;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.Helm;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.NodeDaemonResource;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code helm upgrade} carries the CRD forward, on a control plane of its own: from chart 0.1.0
 * (taken from git history, which installed the CRD from crds/ and so never upgraded it) to this
 * chart, and from this chart to a later one. A field the older CRD lacks is pruned before the
 * upgrade and accepted and kept after it; NodeDaemons made before survive every step and the
 * uninstall.
 */
class HelmCrdUpgradeIT {

  /** The last commit with chart 0.1.0 (CRD in crds/). */
  private static final String CHART_0_1_0_COMMIT = "5b772c0";

  private static final String RELEASE = "nodedaemon";
  private static final String NAMESPACE = "nodedaemon-system";
  private static final String CRD = "nodedaemons.nodedaemon.dev";
  private static final String CRD_FILE = "nodedaemons.nodedaemon.dev-v1.yml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.up("helm-upgrade-" + ProcessHandle.current().pid(), 0);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void upgradesUpdateTheCrdAndKeepEveryNodeDaemon(@TempDir Path tmp) throws IOException {
    KubernetesClient client = cluster.client();
    Helm helm = Helm.on(cluster);
    TestFleet fleet = new TestFleet(cluster, "upgrade");

    // 0.1.0 as released, but with a CRD that lacks spec.failurePolicy: "the field a later
    // version adds" (0.1.0 already had it).
    Path previous = chartAt(CHART_0_1_0_COMMIT, tmp.resolve("previous"));
    ObjectNode oldCrd = (ObjectNode) YAML.readTree(previous.resolve("crds/" + CRD_FILE).toFile());
    ((ObjectNode) oldCrd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties"))
        .remove("failurePolicy");
    YAML.writeValue(previous.resolve("crds/" + CRD_FILE).toFile(), oldCrd);
    assertThat(helm.run(install(previous))).contains("STATUS: deployed");
    assertThat(specFields(client)).doesNotContain("failurePolicy");

    NodeDaemon before = fleet.logAgent("before");
    before.getSpec().setFailurePolicy(FailurePolicy.Rollback);
    String beforeUid = fleet.create(before).getMetadata().getUid();
    assertThat(fleet.get("before").getSpec().getFailurePolicy())
        .as("the old schema prunes the field it does not know")
        .isNull();

    // 0.1.0's CRD has no Helm owner: a plain upgrade refuses to take it over (rather than
    // leaving it stale), and --take-ownership (Helm >= 3.17) adopts it.
    Commands.Result refused = helm.tryRun(upgrade(Helm.CHART));
    System.out.println("helm upgrade from 0.1.0 without --take-ownership:\n" + refused.stderr());
    assertThat(refused.ok()).isFalse();
    assertThat(refused.stderr()).contains(CRD).contains("cannot be imported");
    String adopted = helm.run(upgrade(Helm.CHART, "--take-ownership"));
    System.out.println("helm upgrade --take-ownership from 0.1.0:\n" + adopted);
    assertThat(adopted).contains("STATUS: deployed");

    CustomResourceDefinition crd = crd(client);
    assertThat(crd.getMetadata().getAnnotations())
        .containsEntry("meta.helm.sh/release-name", RELEASE)
        .containsEntry("helm.sh/resource-policy", "keep");
    assertThat(specFields(client)).contains("failurePolicy");
    assertThat(fleet.get("before").getMetadata().getUid())
        .as("the NodeDaemon made under 0.1.0 survived the upgrade")
        .isEqualTo(beforeUid);
    fleet.patch(
        "before",
        "[{\"op\": \"add\", \"path\": \"/spec/failurePolicy\", \"value\": \"Rollback\"}]");
    assertThat(fleet.get("before").getSpec().getFailurePolicy())
        .as("the new field is accepted and kept on the old NodeDaemon")
        .isEqualTo(FailurePolicy.Rollback);
    NodeDaemon after = fleet.logAgent("after");
    after.getSpec().setFailurePolicy(FailurePolicy.Rollback);
    fleet.create(after);
    assertThat(fleet.get("after").getSpec().getFailurePolicy()).isEqualTo(FailurePolicy.Rollback);

    // From this chart on, a plain `helm upgrade` updates the CRD: a "next" chart whose CRD adds
    // spec.note.
    Path next = copyChart(Helm.CHART, tmp.resolve("next"));
    ObjectNode nextCrd =
        (ObjectNode) YAML.readTree(next.resolve("files/crds/" + CRD_FILE).toFile());
    ((ObjectNode) nextCrd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties"))
        .putObject("note")
        .put("type", "string");
    YAML.writeValue(next.resolve("files/crds/" + CRD_FILE).toFile(), nextCrd);
    assertThat(helm.run(upgrade(next))).contains("STATUS: deployed");
    assertThat(specFields(client)).contains("note", "failurePolicy");
    genericNodeDaemons(client, fleet)
        .withName("before")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"note\": \"kept\"}}");
    assertThat(spec(genericNodeDaemons(client, fleet).withName("before").get()))
        .containsEntry("note", "kept")
        .containsEntry("failurePolicy", "Rollback");

    // Uninstall: the CRD is kept, and so is every NodeDaemon.
    helm.run("uninstall", RELEASE, "--namespace", NAMESPACE, "--wait");
    assertThat(crd(client)).as("helm.sh/resource-policy: keep").isNotNull();
    // (read untyped: spec.note is beyond the Java model)
    assertThat(genericNodeDaemons(client, fleet).withName("before").get().getMetadata().getUid())
        .isEqualTo(beforeUid);
    assertThat(genericNodeDaemons(client, fleet).withName("after").get()).isNotNull();
    System.out.printf(
        "CRD upgrade: 0.1.0 -> 0.2.0 (--take-ownership) -> next (plain upgrade) -> uninstall;"
            + " NodeDaemon 'before' kept UID %s and spec %s%n",
        beforeUid, spec(genericNodeDaemons(client, fleet).withName("before").get()).keySet());
  }

  private static String[] install(Path chart) {
    return new String[] {
      "install", RELEASE, chart.toString(), "--namespace", NAMESPACE, "--create-namespace"
    };
  }

  /** No --wait: the operator's pods have no node to run on here; the CRD is what is upgraded. */
  private static String[] upgrade(Path chart, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("upgrade", RELEASE, chart.toString(), "--namespace", NAMESPACE));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static CustomResourceDefinition crd(KubernetesClient client) {
    return client.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
  }

  /** The fields of the served CRD's spec schema. */
  private static java.util.Set<String> specFields(KubernetesClient client) {
    JSONSchemaProps spec =
        crd(client)
            .getSpec()
            .getVersions()
            .getFirst()
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec");
    return spec.getProperties().keySet();
  }

  private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
      genericNodeDaemons(KubernetesClient client, TestFleet fleet) {
    return client
        .genericKubernetesResources(NodeDaemonResource.CONTEXT)
        .inNamespace(fleet.namespace());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }

  /** The chart as committed at {@code commit}, extracted with git archive. */
  private static Path chartAt(String commit, Path target) throws IOException {
    Files.createDirectories(target);
    Path archive = target.resolveSibling("chart-" + commit + ".tar");
    Commands.run(
        Duration.ofSeconds(60),
        List.of(
            "git",
            "-C",
            LocalCluster.projectDir().toString(),
            "archive",
            "--output=" + archive,
            commit,
            "helm/nodedaemon"));
    Commands.run(
        Duration.ofSeconds(60),
        List.of("tar", "-x", "-f", archive.toString(), "-C", target.toString()));
    Path chart = target.resolve("helm/nodedaemon");
    assertThat(Files.readString(chart.resolve("Chart.yaml"))).contains("version: 0.1.0");
    assertThat(chart.resolve("crds/" + CRD_FILE)).exists();
    return chart;
  }

  private static Path copyChart(Path chart, Path target) throws IOException {
    try (var files = Files.walk(chart)) {
      for (Path source : files.sorted().toList()) {
        Path copy = target.resolve(chart.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(source, copy);
        }
      }
    }
    return target;
  }
}
