package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broken image: the operator marks the rollout Failed after its progress deadline, {@code status}
 * exits 1 naming the blocking node, and {@code undo} brings the fleet back. Needs the rollout
 * engine (phase, progress deadline, blockingNodes, rollback by the operator).
 */
class FailedRolloutIT {

  private static final String V1 = "quay.io/fluentd_elasticsearch/fluentd:v2.5.2";
  private static final String BROKEN = "example.com/agent:v2-crashloop";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void statusExitsNonZeroOnAFailedRolloutAndUndoRecovers() {
    TestFleet fleet = new TestFleet("cli-failed");
    List<String> nodes = fleet.addNodes("n", 2);
    // A rollout that fails its progress deadline: health gates would stop the image first.
    NodeDaemon nd = TestFleet.withoutHealthGates(fleet.logAgent("agent"));
    nd.getSpec().setProgressDeadlineSeconds(5);
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);

    assertThat(
            Cli.run(fleet, "set", "image", "agent", "fluentd-elasticsearch=" + BROKEN).exitCode())
        .isZero();
    Cli status = Cli.run(fleet, "status", "agent", "--timeout=90s");
    assertThat(status.exitCode()).as(status.toString()).isEqualTo(ExitCodes.FAILED);
    assertThat(status.out())
        .contains("Phase Failed")
        .contains("node daemon \"agent\" rollout failed")
        .containsPattern("  " + fleet.id() + "-n-\\d: CrashLoopBackOff");

    Cli undo = Cli.run(fleet, "undo", "agent");
    assertThat(undo.exitCode()).as(undo.toString()).isZero();
    Cli recovered = Cli.run(fleet, "status", "agent", "--timeout=90s");
    assertThat(recovered.exitCode()).as(recovered.toString()).isZero();
    fleet.awaitAllOnImage("agent", nodes, V1);
    NodeDaemon after = fleet.get("agent");
    assertThat(after.getSpec().getRollbackTo()).isNull();
    assertThat(after.getStatus().getLastRollback().getToRevision()).isEqualTo(1L);
  }
}
