package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nodedaemon.build.ChartReadme;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.Helm;
import dev.nodedaemon.testing.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chart's README.md documents every value of values.yaml: its values table is what {@link
 * ChartReadme} renders from the file (the build rewrites it; a stale committed copy fails here and
 * in CI's fresh clone).
 */
class ChartReadmeTest {

  private static final Path README = Helm.CHART.resolve("README.md");
  private static final Path VALUES = Helm.CHART.resolve("values.yaml");

  @Test
  void readmeTableIsTheOneRenderedFromValues() throws IOException {
    String readme = Files.readString(README);
    assertThat(ChartReadme.withTable(readme, ChartReadme.table(Files.readString(VALUES))))
        .as("%s is stale: run the build (./mvnw process-test-classes) and commit it", README)
        .isEqualTo(readme);
  }

  @Test
  void committedReadmeIsCurrent() {
    Commands.Result diff =
        Commands.tryRun(
            Duration.ofSeconds(30),
            List.of(
                "git",
                "-C",
                LocalCluster.projectDir().toString(),
                "diff",
                "--exit-code",
                "--",
                README.toString()),
            null);
    assertThat(diff.exitCode())
        .as(
            "the build has just rewritten %s from values.yaml: commit it%n%s",
            README, diff.stdout())
        .isZero();
  }

  @Test
  void everyValueHasARow() throws IOException {
    String table = ChartReadme.table(Files.readString(VALUES));
    assertThat(table)
        .contains("| `metrics.prometheusRule.rolloutStuckFor` | string | `\"15m\"` |")
        .contains("| `crds.keep` | bool | `true` |")
        .contains("| `replicaCount` | int | `2` |")
        .as("a described map is one row, its undescribed leaves folded into its default")
        .contains(
            "| `resources` | object | `{\"requests\":{\"cpu\":\"100m\",\"memory\":\"256Mi\"},"
                + "\"limits\":{\"memory\":\"384Mi\"}}` |")
        .doesNotContain("`resources.requests.cpu`");
  }

  @Test
  void undocumentedValuesAndUnsupportedYamlStopTheGenerator() {
    assertThatThrownBy(() -> ChartReadme.table("# described\na: 1\nb: 2\n"))
        .hasMessageContaining("`b` has no description");
    assertThatThrownBy(() -> ChartReadme.table("# a list\nitems:\n  - one\n"))
        .hasMessageContaining("block lists are not supported");
    assertThat(ChartReadme.table("# Old text.\na: 1\n"))
        .isNotEqualTo(ChartReadme.table("# New text.\na: 1\n"));
  }
}
