package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nodedaemon.config.CrdInstaller;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.NodeDaemonResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Argo CD health check in docs/argocd/ run by Lua 5.1 (Argo CD's gopher-lua speaks 5.1) on
 * NodeDaemons as the API server returns them: each status fixture in src/test/resources/argocd/ is
 * written through the status subresource of the real CRD (which prunes whatever its schema lacks,
 * so a fixture cannot drift from the operator's status model), read back, and judged.
 */
class ArgoCdHealthIT {

  private static final Path DOCS = LocalCluster.projectDir().resolve("docs/argocd");
  private static final Path HEALTH_LUA = DOCS.resolve("nodedaemon-health.lua");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAMESPACE = "argocd-health";

  /** fixture, Argo CD health status, and what its message says. */
  private record Case(String fixture, String status, String message) {}

  private static final List<Case> CASES =
      List.of(
          new Case("no-status", "Progressing", "Waiting for the operator to observe"),
          new Case("stale-generation", "Progressing", "observe generation 2"),
          new Case("progressing", "Progressing", "Progressing: 2 of 5 nodes updated, 4 available"),
          new Case("rolling-back", "Progressing", "RollingBack: 4 of 5 nodes updated"),
          new Case("complete", "Healthy", "5 of 5 nodes updated, 5 available"),
          new Case("complete-partitioned", "Healthy", "3 of 5 nodes updated, 5 available"),
          new Case("complete-node-joining", "Progressing", "Waiting for pods: 6 of 6 nodes"),
          new Case("paused", "Suspended", "Rollout paused (2 of 5 nodes updated"),
          new Case(
              "failed",
              "Degraded",
              "Rollout failed: no progress for 30s: node-0: CrashLoopBackOff"),
          new Case("reconcile-error", "Degraded", "Reconcile failing: pods is forbidden"));

  private static LocalCluster cluster;

  @TempDir static Path tmp;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.up("argocd-" + ProcessHandle.current().pid(), 0);
    KubernetesClient client = cluster.client();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(CrdInstaller.generatedCrd())
        .create();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("nodedaemons.nodedaemon.dev")
        .waitUntilCondition(
            crd ->
                crd.getStatus() != null
                    && crd.getStatus().getConditions() != null
                    && crd.getStatus().getConditions().stream()
                        .anyMatch(
                            c -> c.getType().equals("Established") && c.getStatus().equals("True")),
            60,
            TimeUnit.SECONDS);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void healthFollowsTheRolloutPhaseAndConditions() throws IOException {
    for (Case c : CASES) {
      JsonNode stored = store(fixture(c.fixture()));
      Health health = run(stored);
      System.out.printf("%-22s -> %-11s %s%n", c.fixture(), health.status(), health.message());
      assertThat(health.status()).as(c.fixture()).isEqualTo(c.status());
      assertThat(health.message()).as(c.fixture()).contains(c.message());
    }
  }

  @Test
  void theDocsCarryTheCheckVerbatim() throws IOException {
    String docs = Files.readString(DOCS.resolve("README.md"));
    String indented =
        Files.readString(HEALTH_LUA)
            .lines()
            .map(line -> line.isEmpty() ? "" : "    " + line)
            .reduce((a, b) -> a + "\n" + b)
            .orElseThrow();
    assertThat(docs)
        .as("docs/argocd/README.md's argocd-cm snippet must be nodedaemon-health.lua, indented")
        .contains("resource.customizations.health.nodedaemon.dev_NodeDaemon: |\n" + indented);
  }

  /** A fixture's status must survive the CRD's schema: the check reads real fields only. */
  private static JsonNode store(ObjectNode fixture) {
    KubernetesClient client = cluster.client();
    JsonNode status = fixture.remove("status");
    ((ObjectNode) fixture.get("metadata")).put("namespace", NAMESPACE);
    fixture.set("spec", template(fixture.at("/metadata/name").asText()));
    var resources =
        client.genericKubernetesResources(NodeDaemonResource.CONTEXT).inNamespace(NAMESPACE);
    GenericKubernetesResource created =
        resources.resource(JSON.convertValue(fixture, GenericKubernetesResource.class)).create();
    String name = created.getMetadata().getName();
    if (status != null) {
      ObjectNode patch = JSON.createObjectNode();
      patch.set("status", status);
      resources
          .withName(name)
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }
    if (fixture.at("/metadata/annotations/test.nodedaemon.dev~1bump-generation").asBoolean()) {
      resources
          .withName(name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"minReadySeconds\": 5}}");
    }
    JsonNode stored = JSON.valueToTree(resources.withName(name).get());
    if (status != null) {
      assertThat(stored.get("status"))
          .as("%s: the status as the API server keeps it (nothing pruned)", name)
          .isEqualTo(JSON.valueToTree(JSON.convertValue(status, Map.class)));
    }
    return stored;
  }

  private static JsonNode template(String name) {
    return JSON.valueToTree(
        Map.of(
            "selector", Map.of("matchLabels", Map.of("name", name)),
            "template",
                Map.of(
                    "metadata", Map.of("labels", Map.of("name", name)),
                    "spec",
                        Map.of(
                            "containers",
                            List.of(Map.of("name", "agent", "image", "example.com/agent:v1"))))));
  }

  private record Health(String status, String message) {}

  /** Runs the check as Argo CD does: the object as the Lua table {@code obj}, a table back. */
  private static Health run(JsonNode object) throws IOException {
    Path objLua = tmp.resolve("obj.lua");
    Files.writeString(objLua, "return " + lua(object) + "\n");
    Path runner = tmp.resolve("runner.lua");
    Files.writeString(
        runner,
        """
        obj = dofile(arg[1])
        local hs = dofile(arg[2])
        io.write(tostring(hs.status), "\\n", tostring(hs.message), "\\n")
        """);
    Commands.Result result =
        Commands.tryRun(
            Duration.ofSeconds(30),
            List.of("lua5.1", runner.toString(), objLua.toString(), HEALTH_LUA.toString()),
            null);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    String[] lines = result.stdout().split("\n", 2);
    return new Health(lines[0], lines.length > 1 ? lines[1].strip() : "");
  }

  /** A JSON value as a Lua 5.1 table constructor (arrays 1-based, as Argo CD converts them). */
  static String lua(JsonNode node) {
    if (node.isObject()) {
      List<String> fields = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!field.getValue().isNull()) {
          fields.add("[" + quote(field.getKey()) + "] = " + lua(field.getValue()));
        }
      }
      return "{" + String.join(", ", fields) + "}";
    }
    if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(item -> items.add(lua(item)));
      return "{" + String.join(", ", items) + "}";
    }
    if (node.isTextual()) {
      return quote(node.asText());
    }
    return node.toString();
  }

  private static String quote(String text) {
    return "\""
        + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
        + "\"";
  }

  static ObjectNode fixture(String name) throws IOException {
    try (InputStream in = ArgoCdHealthIT.class.getResourceAsStream("/argocd/" + name + ".yaml")) {
      assertThat(in).as("fixture " + name).isNotNull();
      return (ObjectNode) YAML.readTree(in);
    }
  }
}
