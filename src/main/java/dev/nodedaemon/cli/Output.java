package dev.nodedaemon.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** How the plugin prints: kubectl-style tables, ages, and JSON or YAML for scripts. */
final class Output {

  private Output() {}

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private static final ObjectMapper YAML =
      new ObjectMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build())
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String yaml(Object value) {
    try {
      return YAML.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Prints {@code value} as json or yaml; the caller prints human output itself. */
  static void machine(PrintWriter out, OutputFormat format, Object value) {
    switch (format) {
      case json -> out.println(json(value));
      case yaml -> out.print(yaml(value));
      case wide -> throw new IllegalArgumentException("wide is a table");
    }
    out.flush();
  }

  /** Columns padded to their widest cell plus three spaces, as kubectl's tabwriter does. */
  static String table(List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    int[] widths = new int[header.size()];
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length() + 3));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  /** kubectl's age format (HumanDuration): 45s, 3m20s, 25m, 5h12m, 30h, 3d4h, 200d, 2y. */
  static String age(Instant since, Instant now) {
    if (since == null) {
      return "<unknown>";
    }
    Duration d = Duration.between(since, now);
    long seconds = Math.max(0, d.getSeconds());
    long minutes = seconds / 60;
    long hours = minutes / 60;
    long days = hours / 24;
    if (seconds < 120) {
      return seconds + "s";
    }
    if (minutes < 10) {
      return minutes + "m" + (seconds % 60 == 0 ? "" : seconds % 60 + "s");
    }
    if (hours < 3) {
      return minutes + "m";
    }
    if (hours < 8) {
      return hours + "h" + (minutes % 60 == 0 ? "" : minutes % 60 + "m");
    }
    if (hours < 48) {
      return hours + "h";
    }
    if (hours < 24 * 8) {
      return days + "d" + (hours % 24 == 0 ? "" : hours % 24 + "h");
    }
    if (days < 365 * 2) {
      return days + "d";
    }
    return days / 365 + "y";
  }

  static Instant instant(String timestamp) {
    return timestamp == null || timestamp.isEmpty() ? null : Instant.parse(timestamp);
  }

  /** An int-or-percent field as the user wrote it: {@code 2} or {@code 10%}. */
  static String intOrPercent(io.fabric8.kubernetes.api.model.IntOrString value) {
    return value.getIntVal() != null ? value.getIntVal().toString() : value.getStrVal();
  }

  static String orNone(String value) {
    return value == null || value.isEmpty() ? "<none>" : value;
  }

  /** Parses kubectl-style durations: 0, 90s, 5m, 1h30m, 500ms; a bare number is seconds. */
  static Duration duration(String text) {
    String s = text.trim();
    if (s.matches("\\d+")) {
      return Duration.ofSeconds(Long.parseLong(s));
    }
    if (!s.matches("(\\d+(ms|s|m|h))+")) {
      throw new IllegalArgumentException(
          "invalid duration \"" + text + "\": use a number with a unit, such as 90s, 5m or 1h30m");
    }
    Duration total = Duration.ZERO;
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
    }
    return total;
  }
}
