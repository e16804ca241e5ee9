package dev.nodedaemon.cli;

import static dev.nodedaemon.testing.StatusChecks.heldBy;
import static dev.nodedaemon.testing.StatusChecks.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.GateFailureAction;
import dev.nodedaemon.api.HealthGates;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PrePull;
import dev.nodedaemon.api.RolloutOrder;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin's status and nodes show the rollout order and each zone, and the image pre-pull state,
 * from a real operator.
 */
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

  /**
   * A pull that fails (kwok fails an image volume naming "nopull", hack/kwok/README.md) holds the
   * rollout (gates Pause) with the failed pre-pull pods left in place: nodes marks them failed with
   * the kubelet's reason, status names them.
   */
  @Test
  void nodesAndStatusShowAFailedPrePull() {
    TestFleet fleet = new TestFleet("prepull-cli");
    List<String> nodes = fleet.addNodes("n", 4);
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 1, null);
    PrePull prePull = new PrePull();
    prePull.setNodesAhead(2);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPrePull(prePull);
    HealthGates gates = new HealthGates();
    gates.setOnFailure(GateFailureAction.Pause);
    nd.getSpec().setHealthGates(gates);
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    Cli before = Cli.run(fleet, "nodes", "agent");
    assertThat(before.out()).as("no pre-pull pod yet").contains("PREPULL").doesNotContain("fail");

    fleet.setImage("agent", "example.com/agent:v2-nopull");
    fleet.awaitStatus("agent", heldBy("HealthGateFailed"));

    // The window is the first two nodes in name order; both pulls fail on the same image.
    Cli table = Cli.run(fleet, "nodes", "agent");
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out())
        .containsPattern(nodes.get(0) + " .* failed \\((ErrImagePull|ImagePullBackOff)\\)")
        .containsPattern(nodes.get(1) + " .* failed \\((ErrImagePull|ImagePullBackOff)\\)")
        .containsPattern(nodes.get(2) + " .* -  ");

    Cli status = Cli.run(fleet, "status", "agent", "--watch=false");
    assertThat(status.out())
        .contains(
            "Pre-pull (nodes ahead of the front): 2 failed on "
                + nodes.get(0)
                + ", "
                + nodes.get(1)
                + ": ");

    // get's tree lists the update revision's pre-pull pods under the NodeDaemon, one per node.
    Cli tree = Cli.run(fleet, "get", "agent");
    assertThat(tree.exitCode()).as(tree.err()).isZero();
    assertThat(tree.out())
        .contains("└── pre-pull of revision 2 (")
        .containsPattern(
            "[├└]── \\S+ +" + nodes.get(0) + " +failed \\((ErrImagePull|ImagePullBackOff)\\)")
        .containsPattern(
            "[├└]── \\S+ +" + nodes.get(1) + " +failed \\((ErrImagePull|ImagePullBackOff)\\)");
  }
}
