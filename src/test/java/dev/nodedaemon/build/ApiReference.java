package dev.nodedaemon.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes docs/api-reference.md from the generated CRD's OpenAPI schema, whose descriptions come
 * from the API classes' {@code JsonPropertyDescription}s: {@value #COMMAND} (exec-maven-plugin,
 * after {@link CrdWriter}). The build does not rewrite it on its own, so {@code ApiReferenceTest}
 * can fail when the committed file no longer matches the API.
 *
 * <p>One section per object of NodeDaemon's own types, in the order a reader meets them (spec, then
 * status, depth first); each field a row with its type, its description and the checks the API
 * server makes (required, minimum, maximum, enum, pattern, CEL rules' messages). Kubernetes' own
 * types (the pod template, label selectors, conditions) are named and linked, not expanded.
 */
public final class ApiReference {

  /** How to regenerate; printed by the drift test. */
  public static final String COMMAND = "./mvnw -q process-test-classes -Dapi-reference.skip=false";

  static final String CRD = "helm/nodedaemon/files/crds/nodedaemons.nodedaemon.dev-v1.yml";
  static final String OUTPUT = "docs/api-reference.md";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Kubernetes types recognised by their properties; shown by name, not expanded. */
  private record KubernetesType(Set<String> properties, String name, String link) {}

  private static final List<KubernetesType> KUBERNETES_TYPES =
      List.of(
          new KubernetesType(
              Set.of("matchLabels", "matchExpressions"),
              "LabelSelector",
              "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/"),
          new KubernetesType(
              Set.of("metadata", "spec"),
              "PodTemplateSpec",
              "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-template-v1/"),
          new KubernetesType(
              Set.of("type", "status", "reason", "message", "lastTransitionTime"),
              "Condition",
              "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/"));

  private ApiReference() {}

  /** {@code ApiReference PROJECT_DIR}: rewrites docs/api-reference.md. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ApiReference <project directory>");
    }
    Path project = Path.of(args[0]);
    Path output = project.resolve(OUTPUT);
    Files.createDirectories(output.getParent());
    Files.writeString(output, render(Files.readString(project.resolve(CRD))));
    System.out.println("ApiReference: wrote " + output);
  }

  /** A field whose description is missing, by its path (empty when every field has one). */
  public static List<String> undocumented(String crdYaml) throws IOException {
    List<String> missing = new ArrayList<>();
    for (Section section : sections(version(crdYaml))) {
      for (Row row : section.rows()) {
        if (row.description().isEmpty()) {
          missing.add(section.path() + "." + row.name());
        }
      }
    }
    return missing;
  }

  /** The Markdown of the reference. */
  public static String render(String crdYaml) throws IOException {
    JsonNode crd = YAML.readTree(crdYaml);
    JsonNode version = version(crdYaml);
    JsonNode names = crd.path("spec").path("names");
    StringBuilder out = new StringBuilder();
    out.append("# NodeDaemon API reference\n\n")
        .append("<!-- Generated from ")
        .append(CRD)
        .append(" by ApiReference; do not edit. Regenerate: ")
        .append(COMMAND)
        .append(" -->\n\n");
    out.append("| | |\n|---|---|\n")
        .append("| apiVersion | `")
        .append(crd.path("spec").path("group").asText())
        .append('/')
        .append(version.path("name").asText())
        .append("` |\n")
        .append("| kind | `")
        .append(names.path("kind").asText())
        .append("` |\n")
        .append("| scope | ")
        .append(crd.path("spec").path("scope").asText())
        .append(" |\n")
        .append("| plural, short names | `")
        .append(names.path("plural").asText())
        .append("`, ");
    List<String> shortNames = new ArrayList<>();
    names.path("shortNames").forEach(n -> shortNames.add("`" + n.asText() + "`"));
    out.append(String.join(", ", shortNames)).append(" |\n");
    out.append(
        "\nThe descriptions are those of the Java API classes (dev.nodedaemon.api), which the CRD is"
            + " generated from. The API server refuses objects that break the checks listed in the"
            + " last column.\n");

    JsonNode columns = version.path("additionalPrinterColumns");
    if (columns.isArray() && !columns.isEmpty()) {
      out.append("\n## `kubectl get nodedaemons` columns\n\n| column | from |\n|---|---|\n");
      for (JsonNode column : columns) {
        out.append("| ")
            .append(column.path("name").asText())
            .append(" | `")
            .append(column.path("jsonPath").asText())
            .append("` |\n");
      }
    }

    for (Section section : sections(version)) {
      out.append("\n## `").append(section.path()).append("`\n\n");
      if (!section.description().isEmpty()) {
        out.append(cell(section.description())).append("\n\n");
      }
      out.append("| field | type | description | checks |\n|---|---|---|---|\n");
      for (Row row : section.rows()) {
        out.append("| `")
            .append(row.name())
            .append("` | ")
            .append(row.type())
            .append(" | ")
            .append(cell(row.description()))
            .append(" | ")
            .append(cell(row.checks()))
            .append(" |\n");
      }
    }
    return out.toString();
  }

  record Row(String name, String type, String description, String checks) {}

  record Section(String path, String description, List<Row> rows) {}

  private static JsonNode version(String crdYaml) throws IOException {
    JsonNode versions = YAML.readTree(crdYaml).path("spec").path("versions");
    for (JsonNode version : versions) {
      if (version.path("storage").asBoolean()) {
        return version;
      }
    }
    return versions.get(0);
  }

  /** The objects of NodeDaemon's own types, depth first from spec and status. */
  private static List<Section> sections(JsonNode version) {
    JsonNode root = version.path("schema").path("openAPIV3Schema");
    List<Section> sections = new ArrayList<>();
    Deque<Map.Entry<String, JsonNode>> pending = new ArrayDeque<>();
    List<Map.Entry<String, JsonNode>> top = new ArrayList<>();
    for (String name : List.of("spec", "status")) {
      if (root.path("properties").has(name)) {
        top.add(Map.entry("." + name, root.path("properties").path(name)));
      }
    }
    for (int i = top.size() - 1; i >= 0; i--) {
      pending.push(top.get(i));
    }
    while (!pending.isEmpty()) {
      Map.Entry<String, JsonNode> entry = pending.pop();
      String path = entry.getKey();
      JsonNode schema = entry.getValue();
      Set<String> required = new TreeSet<>();
      schema.path("required").forEach(r -> required.add(r.asText()));
      List<Row> rows = new ArrayList<>();
      List<Map.Entry<String, JsonNode>> children = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String name = field.getKey();
        JsonNode fieldSchema = field.getValue();
        String childPath = path + "." + name;
        JsonNode object = fieldSchema;
        String suffix = "";
        if ("array".equals(fieldSchema.path("type").asText())) {
          object = fieldSchema.path("items");
          suffix = "[]";
        }
        if (isOwnObject(object)) {
          children.add(Map.entry(childPath + suffix, object));
        }
        rows.add(
            new Row(
                name,
                type(fieldSchema, childPath + suffix),
                fieldSchema.path("description").asText(""),
                checks(fieldSchema, required.contains(name))));
      }
      sections.add(new Section(path, schema.path("description").asText(""), rows));
      for (int i = children.size() - 1; i >= 0; i--) {
        pending.push(children.get(i));
      }
    }
    return sections;
  }

  private static boolean isOwnObject(JsonNode schema) {
    return "object".equals(schema.path("type").asText())
        && schema.path("properties").size() > 0
        && kubernetesType(schema) == null;
  }

  private static KubernetesType kubernetesType(JsonNode schema) {
    Set<String> properties = new TreeSet<>();
    schema.path("properties").fieldNames().forEachRemaining(properties::add);
    for (KubernetesType type : KUBERNETES_TYPES) {
      if (properties.containsAll(type.properties())
          && properties.size() <= type.properties().size() + 1) {
        return type;
      }
    }
    return null;
  }

  private static String type(JsonNode schema, String path) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
      return "integer or string";
    }
    String type = schema.path("type").asText("");
    if ("array".equals(type)) {
      String items = type(schema.path("items"), path);
      // A link keeps its brackets outside: [[]object](#anchor).
      return items.startsWith("[") ? "[[]" + items.substring(1) : "[]" + items;
    }
    if ("object".equals(type)) {
      KubernetesType kubernetes = kubernetesType(schema);
      if (kubernetes != null) {
        return "[" + kubernetes.name() + "](" + kubernetes.link() + ")";
      }
      if (schema.path("properties").size() > 0) {
        return "[object](#" + anchor(path) + ")";
      }
      JsonNode values = schema.path("additionalProperties");
      if (values.isObject()) {
        return "map[string]" + type(values, path);
      }
      return "object";
    }
    return type.isEmpty() ? "any" : type;
  }

  /** GitHub's anchor of a heading {@code `.spec.x[]`}: lower case, punctuation dropped. */
  static String anchor(String path) {
    return path.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 _-]", "");
  }

  private static String checks(JsonNode schema, boolean required) {
    List<String> checks = new ArrayList<>();
    if (required) {
      checks.add("required");
    }
    if (schema.has("default")) {
      checks.add("default `" + schema.path("default").toString() + "`");
    }
    if (schema.has("enum")) {
      List<String> values = new ArrayList<>();
      schema.path("enum").forEach(v -> values.add("`" + v.asText() + "`"));
      checks.add("one of " + String.join(", ", values));
    }
    if (schema.has("minimum")) {
      checks.add("minimum " + number(schema.path("minimum")));
    }
    if (schema.has("maximum")) {
      checks.add("maximum " + number(schema.path("maximum")));
    }
    if (schema.has("minItems")) {
      checks.add("at least " + schema.path("minItems").asText() + " item(s)");
    }
    if (schema.has("maxItems")) {
      checks.add("at most " + schema.path("maxItems").asText() + " item(s)");
    }
    if (schema.has("pattern")) {
      checks.add("matches `" + schema.path("pattern").asText() + "`");
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      checks.add(rule.path("message").asText(rule.path("rule").asText()));
    }
    for (JsonNode rule : schema.path("items").path("x-kubernetes-validations")) {
      checks.add("each item: " + rule.path("message").asText(rule.path("rule").asText()));
    }
    return String.join("; ", checks);
  }

  /** 0 rather than the 0.0 a YAML reader makes of a minimum. */
  private static String number(JsonNode value) {
    double d = value.asDouble();
    return d == Math.rint(d) ? Long.toString((long) d) : value.asText();
  }

  /** One table cell: no line breaks, no unescaped pipes. */
  private static String cell(String text) {
    return text.strip().replace("\r", "").replace("\n", " ").replace("|", "\\|");
  }
}
