package dev.nodedaemon.safety;

import static dev.nodedaemon.testing.StatusChecks.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl drain --ignore-daemonsets} on a node with a NodeDaemon pod. kubectl skips only the
 * pods a DaemonSet owns, so it evicts the NodeDaemon's pod; the operator puts it back (a cordoned
 * node still runs its daemon, as with a DaemonSet). The drain completes, since it waits only for
 * the pods it evicted, the agent is back on the node, and nothing loops: one replacement pod.
 */
class DrainIT {

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void aDrainCompletesAndTheAgentComesBackOnceWithoutALoop() {
    TestFleet fleet = new TestFleet("drain");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    List<Pod> before = fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    String node = nodes.get(0);
    Pod evicted =
        before.stream()
            .filter(p -> node.equals(p.getSpec().getNodeName()))
            .findFirst()
            .orElseThrow();

    Commands.Result drain =
        fleet
            .cluster()
            .tryKubectl(
                null,
                "drain",
                node,
                "--ignore-daemonsets",
                "--delete-emptydir-data",
                "--timeout=90s");

    assertThat(drain.ok()).as(drain.stdout() + drain.stderr()).isTrue();
    assertThat(drain.stdout())
        .contains("evicting pod " + fleet.namespace() + "/" + evicted.getMetadata().getName())
        .contains("node/" + node + " drained");
    List<Pod> after = fleet.awaitReadyOnExactly("agent", nodes);
    Pod back =
        after.stream()
            .filter(p -> node.equals(p.getSpec().getNodeName()))
            .findFirst()
            .orElseThrow();
    assertThat(back.getMetadata().getUid()).isNotEqualTo(evicted.getMetadata().getUid());
    assertThat(
            fleet.pods("agent").stream()
                .filter(p -> node.equals(DaemonPods.targetNode(p).orElse("")))
                .count())
        .as("one pod for the drained node, not a stream of them")
        .isEqualTo(1);
    // Created: 2 at install, 1 after the eviction.
    fleet.awaitEvents("agent", "SuccessfulCreate", 3, Duration.ofSeconds(30));
    assertThat(
            fleet.events("agent").stream()
                .filter(e -> "SuccessfulCreate".equals(e.getReason()))
                .mapToInt(e -> e.getCount() == null ? 1 : e.getCount())
                .sum())
        .isEqualTo(3);
    fleet.cluster().kubectl("uncordon", node);
  }
}
