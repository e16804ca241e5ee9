package dev.nodedaemon.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Build step (run by exec-maven-plugin beside {@link CrdWriter}): writes the values table of the
 * Helm chart's README.md from its values.yaml, between the markers {@value #BEGIN} and {@value
 * #END}; the prose around them is written by hand. {@code ChartReadmeTest} fails when the committed
 * README differs from what this renders.
 *
 * <p>The rules, helm-docs' in short:
 *
 * <ol>
 *   <li>The comment lines right above a key (no blank line between) describe it.
 *   <li>Every leaf value gets a row: its dotted key, its default as JSON, its description.
 *   <li>A map with a description gets a row with the whole map as its default; its leaves then get
 *       rows only when they have a description of their own.
 *   <li>A key without a description and not under a described map is an error: every value is
 *       documented.
 * </ol>
 *
 * Only the YAML that values.yaml uses is understood (block maps, scalars and flow collections); a
 * block list or anything else stops the build rather than being skipped.
 */
public final class ChartReadme {

  static final String BEGIN = "<!-- values:begin (generated from values.yaml by ChartReadme) -->";
  static final String END = "<!-- values:end -->";

  private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z0-9_.-]+):(?: (.*))?$");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ChartReadme() {}

  /** One key of values.yaml, in file order. */
  record Entry(String path, int indent, boolean isMap, String description) {}

  /** A row of the table. */
  record Row(String key, String type, String defaultJson, String description) {}

  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ChartReadme <chart directory>");
    }
    Path chart = Path.of(args[0]);
    try {
      Path readme = chart.resolve("README.md");
      String current = Files.readString(readme);
      String updated = withTable(current, table(Files.readString(chart.resolve("values.yaml"))));
      if (!updated.equals(current)) {
        Files.writeString(readme, updated);
        System.out.printf("ChartReadme: rewrote the values table of %s%n", readme);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code readme} with the text between the markers replaced by {@code table}. */
  public static String withTable(String readme, String table) {
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException("the chart README has no " + BEGIN + " ... " + END);
    }
    return readme.substring(0, begin + BEGIN.length()) + "\n" + table + readme.substring(end);
  }

  /** The Markdown table of {@code valuesYaml}. */
  public static String table(String valuesYaml) {
    JsonNode values;
    try {
      values = YAML.readTree(valuesYaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringBuilder out = new StringBuilder();
    out.append("| Key | Type | Default | Description |\n");
    out.append("|-----|------|---------|-------------|\n");
    for (Row row : rows(entries(valuesYaml), values)) {
      out.append("| `")
          .append(row.key())
          .append("` | ")
          .append(row.type())
          .append(" | `")
          .append(row.defaultJson().replace("|", "\\|"))
          .append("` | ")
          .append(row.description().replace("|", "\\|"))
          .append(" |\n");
    }
    return out.toString();
  }

  static List<Entry> entries(String valuesYaml) {
    List<Entry> entries = new ArrayList<>();
    Deque<Entry> parents = new ArrayDeque<>();
    List<String> comment = new ArrayList<>();
    int lineNumber = 0;
    for (String line : valuesYaml.split("\n", -1)) {
      lineNumber++;
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        comment.clear();
        continue;
      }
      if (trimmed.startsWith("#")) {
        comment.add(trimmed.replaceFirst("^#+ ?", ""));
        continue;
      }
      Matcher key = KEY.matcher(line);
      if (!key.matches()) {
        throw new IllegalStateException(
            "values.yaml:"
                + lineNumber
                + ": not a `key: value` line (block lists are not"
                + " supported; write lists in flow style): "
                + line);
      }
      int indent = key.group(1).length();
      while (!parents.isEmpty() && parents.peek().indent() >= indent) {
        parents.pop();
      }
      String path = parents.isEmpty() ? key.group(2) : parents.peek().path() + "." + key.group(2);
      String value = key.group(3) == null ? "" : key.group(3).strip();
      Entry entry = new Entry(path, indent, value.isEmpty(), String.join(" ", comment));
      entries.add(entry);
      if (entry.isMap()) {
        parents.push(entry);
      }
      comment.clear();
    }
    return entries;
  }

  static List<Row> rows(List<Entry> entries, JsonNode values) {
    List<Row> rows = new ArrayList<>();
    List<String> describedMaps = new ArrayList<>();
    for (Entry entry : entries) {
      boolean covered = describedMaps.stream().anyMatch(m -> entry.path().startsWith(m + "."));
      boolean described = !entry.description().isEmpty();
      if (entry.isMap()) {
        if (described) {
          describedMaps.add(entry.path());
          rows.add(row(entry, values));
        }
        continue;
      }
      if (described) {
        rows.add(row(entry, values));
      } else if (!covered) {
        throw new IllegalStateException(
            "values.yaml: `"
                + entry.path()
                + "` has no description: write a comment line right above it (or above a map"
                + " that holds it)");
      }
    }
    return rows;
  }

  private static Row row(Entry entry, JsonNode values) {
    JsonNode node = values.at("/" + entry.path().replace(".", "/"));
    if (node.isMissingNode()) {
      throw new IllegalStateException("values.yaml: cannot read `" + entry.path() + "`");
    }
    String type =
        switch (node.getNodeType()) {
          case OBJECT -> "object";
          case ARRAY -> "list";
          case BOOLEAN -> "bool";
          case NUMBER -> node.isIntegralNumber() ? "int" : "float";
          case STRING -> "string";
          default -> node.getNodeType().toString().toLowerCase();
        };
    return new Row(entry.path(), type, node.toString(), entry.description());
  }
}
