package dev.nodedaemon.cli;

import static dev.nodedaemon.testing.StatusChecks.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.testing.DaemonSetCluster;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl nodedaemon migrate daemonset/NAME} with the built-in DaemonSet controller on: the
 * dry run prints the NodeDaemon and changes nothing; the migration orphans the DaemonSet's pods,
 * creates the NodeDaemon, waits until it owns every pod and reports them kept: same UIDs.
 */
class MigrateCommandIT {

  @BeforeAll
  static void clusterWithTheDaemonSetController() {
    DaemonSetCluster.get();
  }

  @Test
  void migrateKeepsTheDaemonSetsPodsAndReportsThem() throws Exception {
    TestFleet fleet = new TestFleet(DaemonSetCluster.get(), "migratecli");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon template = fleet.logAgent("agent");
    List<Pod> before = DaemonSetCluster.runAsDaemonSet(fleet, template, nodes.size(), 2);

    Cli dryRun = Cli.run(fleet, "migrate", "daemonset/agent", "--dry-run");
    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    assertThat(dryRun.out())
        .contains("kind: \"NodeDaemon\"")
        .contains("minReadySeconds: 2")
        .contains("fluentd-elasticsearch");
    assertThat(
            fleet
                .client()
                .apps()
                .daemonSets()
                .inNamespace(fleet.namespace())
                .withName("agent")
                .get())
        .as("a dry run changes nothing")
        .isNotNull();

    Cli migrate = Cli.run(fleet, "migrate", "daemonset/agent");

    assertThat(migrate.exitCode()).as(migrate.toString()).isZero();
    assertThat(migrate.out()).contains("adopted 3 pods: 3 run its template and were kept");
    assertThat(uids(fleet.pods("agent"))).isEqualTo(uids(before));
    NodeDaemon migrated = fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    assertThat(migrated.getSpec().getMinReadySeconds()).isEqualTo(2);
    assertThat(Cli.run(fleet, "migrate", "daemonset/agent").err()).contains("NotFound");
  }

  private static List<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).sorted().toList();
  }
}
