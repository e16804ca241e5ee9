package dev.nodedaemon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The benchmark suite still works: {@code bench/run-all --smoke} (30 nodes, no ready delay) runs
 * every quick scenario against the built-in controller and the packaged operator on a real local
 * control plane, and writes its table. It checks that the suite runs and reports, not how fast
 * anything is: figures are read by people, from bench/results.
 */
class BenchSuiteIT {

  @Test
  void smokeRunOfTheSuiteReportsEveryScenario() throws Exception {
    Path project = LocalCluster.projectDir();
    Path results = project.resolve("target/bench/suite-smoke.md");
    Files.deleteIfExists(results);

    Commands.Result run =
        Commands.tryRun(
            Duration.ofMinutes(6),
            List.of(
                "python3",
                project.resolve("bench/run-all").toString(),
                "--smoke",
                "--results",
                results.toString()),
            null,
            Map.of());

    assertThat(run.exitCode()).as("bench/run-all --smoke\n%s", run.stderr()).isZero();
    String table = Files.readString(results);
    assertThat(table)
        .contains("Machine: ", "load average", "commit ")
        .contains("| first placement | 30 |")
        .contains("| rolling update, maxUnavailable 50%")
        .contains("| rolling update, maxSurge 50%")
        .contains("| start -> first reconcile done")
        .contains("| RSS, idle, 0 NodeDaemons, 30 nodes")
        .doesNotContain("**Failed:**");
    assertThat(run.stdout()).contains("NodeDaemon / built-in");
  }
}
