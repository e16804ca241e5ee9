package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.Helm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's PrometheusRule, rendered by {@code helm template} and run by Prometheus' own {@code
 * promtool test rules} against the unit tests in {@code src/test/resources/promtool/}: each alert
 * fires in one case and stays quiet in another. The cases have teeth: an alert whose expression
 * never fires, or always fires, makes promtool fail.
 */
class PrometheusRuleTest {

  private static final String TESTS = "nodedaemon-alerts.test.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static ObjectNode rules;

  @TempDir static Path dir;

  /** The rule file of the chart's PrometheusRule: {@code groups} from its spec. */
  @BeforeAll
  static void renderRules() throws IOException {
    String rendered =
        Helm.offline()
            .run(
                "template",
                "nodedaemon",
                Helm.CHART.toString(),
                "--namespace",
                "nodedaemon-system",
                "--set",
                "metrics.prometheusRule.enabled=true",
                "--show-only",
                "templates/prometheusrule.yaml");
    JsonNode rule = YAML.readTree(rendered);
    assertThat(rule.get("kind").asText()).isEqualTo("PrometheusRule");
    rules = YAML.createObjectNode();
    rules.set("groups", rule.at("/spec/groups"));
    try (InputStream tests = PrometheusRuleTest.class.getResourceAsStream("/promtool/" + TESTS)) {
      Files.copy(tests, dir.resolve(TESTS));
    }
  }

  @Test
  void theRuleGroupPassesPromtoolsChecks() throws IOException {
    Path file = write(rules);
    Commands.Result check = promtool("check", "rules", file.toString());
    System.out.println(check.stdout() + check.stderr());
    assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();
    assertThat(check.stdout()).contains("SUCCESS: " + alertNames().size() + " rules found");
  }

  @Test
  void everyAlertFiresAndStaysQuietAsTheUnitTestsExpect() throws IOException {
    write(rules);
    Commands.Result result = promtool("test", "rules", dir.resolve(TESTS).toString());
    System.out.println(result.stdout() + result.stderr());
    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(result.stdout()).contains("SUCCESS");
  }

  @Test
  void everyAlertHasAFiringAndAQuietCase() throws IOException {
    JsonNode tests = YAML.readTree(dir.resolve(TESTS).toFile());
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (JsonNode test : tests.get("tests")) {
      for (JsonNode eval : test.get("alert_rule_test")) {
        (eval.get("exp_alerts").isEmpty() ? quiet : firing).add(eval.get("alertname").asText());
      }
    }
    assertThat(firing).as("alerts with a firing case").isEqualTo(alertNames());
    assertThat(quiet).as("alerts with a case where they stay quiet").isEqualTo(alertNames());
    assertThat(alertNames())
        .as("the kubernetes-mixin KubeDaemonSet* alerts and the operator's own")
        .containsExactlyInAnyOrder(
            "NodeDaemonRolloutFailed",
            "NodeDaemonRolloutStuck",
            "NodeDaemonPodsUnavailable",
            "NodeDaemonNotScheduled",
            "NodeDaemonMisscheduled",
            "NodeDaemonOperatorDown",
            "NodeDaemonReconcileErrors");
  }

  /**
   * The unit tests can fail: each alert made silent fails its firing case, and each alert made to
   * fire always fails its quiet case.
   */
  @Test
  void aBrokenAlertFailsItsCases() throws IOException {
    for (String alert : alertNames()) {
      for (String expr : List.of("vector(1) > 2", "vector(1)")) {
        write(withExpr(alert, expr));
        Commands.Result result = promtool("test", "rules", dir.resolve(TESTS).toString());
        assertThat(result.exitCode())
            .as("%s with expr %s: %s", alert, expr, result.stdout() + result.stderr())
            .isEqualTo(1);
        assertThat(result.stdout() + result.stderr())
            .contains("alertname: " + alert)
            .contains("FAILED");
      }
    }
    write(rules);
  }

  private static Set<String> alertNames() {
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode group : rules.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        names.add(rule.get("alert").asText());
      }
    }
    return new TreeSet<>(names);
  }

  private static ObjectNode withExpr(String alert, String expr) {
    ObjectNode copy = rules.deepCopy();
    for (JsonNode group : copy.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        if (rule.get("alert").asText().equals(alert)) {
          ((ObjectNode) rule).put("expr", expr);
        }
      }
    }
    return copy;
  }

  private static Path write(ObjectNode ruleFile) throws IOException {
    Path file = dir.resolve("rules.yaml");
    YAML.writeValue(file.toFile(), ruleFile);
    return file;
  }

  /** promtool from Debian's prometheus package, which hack/prereqs installs. */
  private static Commands.Result promtool(String... args) {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    return Commands.tryRun(Duration.ofMinutes(2), command, null);
  }
}
