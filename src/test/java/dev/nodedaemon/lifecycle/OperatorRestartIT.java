package dev.nodedaemon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operator is killed (SIGKILL, no clean-up) while it is creating pods and a new process takes
 * over with an empty cache: every node still ends with exactly one pod, and no node ever had two.
 */
class OperatorRestartIT {

  @Test
  void aKillDuringCreationLeavesNoDuplicatePod() {
    SharedOperator.get();
    TestFleet fleet = new TestFleet("restart");
    List<String> nodes = fleet.addNodes("n", 60);

    try (PodInvariantChecker checker =
        new PodInvariantChecker(fleet.client(), fleet.namespace(), "agent", 1)) {
      fleet.create(fleet.logAgent("agent"));
      fleet.awaitPods("agent", pods -> !pods.isEmpty(), Duration.ofSeconds(60));

      SharedOperator.get().kill();
      // Read once the process is gone: what the dead operator had created. Anything between none
      // and all of them means the kill came mid-creation, with nodes still to place.
      int createdBeforeKill = fleet.pods("agent").size();
      System.out.printf(
          "pods created before the kill: %d of %d%n", createdBeforeKill, nodes.size());
      assertThat(createdBeforeKill)
          .as("pods created before the kill")
          .isBetween(1, nodes.size() - 1);
      SharedOperator.get(); // a new process, with an empty cache

      List<Pod> after = fleet.awaitReadyOnExactly("agent", nodes);
      assertThat(after).hasSize(60);
      assertThat(after.stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toSet()))
          .hasSize(60);
      assertThat(checker.violations()).as("nodes that ever had two live pods").isEmpty();
      assertThat(checker.peakPerNode()).isEqualTo(1);
    }
  }
}
