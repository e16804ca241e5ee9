package dev.nodedaemon.cli;

import static dev.nodedaemon.testing.StatusChecks.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutOrder;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plugin's status and nodes show the rollout order and each zone, from a real operator. */
class OrderCommandsIT {

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void statusAndNodesShowTheGroupsAndTheZones() {
    TestFleet fleet = new TestFleet("order-cli");
    List<String> nodes = fleet.addNodesInZones("n", 6, List.of("a", "b", "c"));
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 2, null);
    RolloutOrder order = new RolloutOrder();
    order.setTopologyKey("topology.kubernetes.io/zone");
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setOrder(order);
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    Cli status = Cli.run(fleet, "status", "agent", "--timeout=60s");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("Order: all 3 groups done")
        .contains("Domains (updated/nodes): a 2/2, b 2/2, c 2/2");

    Cli table = Cli.run(fleet, "nodes", "agent");
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out()).contains("DOMAIN").contains(nodes.get(0) + "   a ");
  }
}
