package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.DomainStatus;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RolloutProgress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rollout order as `status` and `nodes` print it: the current group and domain counts. */
class OrderViewTest {

  @Test
  void namesTheCurrentGroupAndCountsEachDomain() {
    NodeDaemonStatus status = new NodeDaemonStatus();
    RolloutProgress rollout = new RolloutProgress();
    rollout.setGroup("topology.kubernetes.io/zone=b");
    rollout.setGroupsCompleted(1);
    rollout.setGroupCount(3);
    status.setRollout(rollout);
    status.setDomains(
        List.of(
            new DomainStatus("a", 4, 4, 0, null),
            new DomainStatus("b", 4, 1, 1, null),
            new DomainStatus("", 2, 0, 0, null)));

    assertThat(OrderView.lines(status))
        .containsExactly(
            "Order: group 2/3 (topology.kubernetes.io/zone=b)",
            "Domains (updated/nodes): a 4/4, b 1/4 (1 unavailable), <unset> 0/2");
  }

  @Test
  void saysWhenEveryGroupIsDoneAndNothingWithoutAnOrder() {
    NodeDaemonStatus status = new NodeDaemonStatus();
    RolloutProgress rollout = new RolloutProgress();
    rollout.setGroupsCompleted(2);
    rollout.setGroupCount(2);
    status.setRollout(rollout);
    assertThat(OrderView.lines(status)).containsExactly("Order: all 2 groups done");
    assertThat(OrderView.lines(new NodeDaemonStatus())).isEmpty();
  }

  @Test
  void theNodesTableHasADomainColumnWithATopologyKey() {
    List<NodeRows.Row> rows =
        NodeRows.build(
            List.of(),
            List.of(),
            "h2",
            List.of(),
            List.of("node-a", "node-b"),
            Map.of("node-a", "zone-a", "node-b", ""),
            null);

    assertThat(NodeRows.table(rows, Instant.parse("2026-01-01T00:00:00Z"), false))
        .isEqualTo(
            """
            NODE     DOMAIN    POD      REVISION   UPDATED   READY   AGE   REASON
            node-a   zone-a    <none>   -          -         -       -     PodMissing
            node-b   <unset>   <none>   -          -         -       -     PodMissing
            """);
  }
}
