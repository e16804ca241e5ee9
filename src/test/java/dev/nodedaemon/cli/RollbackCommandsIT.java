package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * undo and abort: the revision is checked by the plugin, the request goes into spec.rollbackTo, and
 * the operator performs it.
 */
class RollbackCommandsIT {

  private static final String V1 = "quay.io/fluentd_elasticsearch/fluentd:v2.5.2";
  private static final String V2 = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0";
  private static final String BROKEN = "example.com/agent:v3-crashloop";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void undoChecksTheRevisionAndAsksTheOperatorForThePreviousOne() {
    TestFleet fleet = new TestFleet("cli-undo");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    fleet.awaitReadyOnExactly("agent", nodes);

    Cli none = Cli.run(fleet, "undo", "agent");
    assertThat(none.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(none.err())
        .isEqualTo(
            "error: no previous revision of node daemon \"agent\" to roll back to; revisions"
                + " kept: 1\n");

    fleet.setImage("agent", V2);
    fleet.awaitAllOnImage("agent", nodes, V2);
    Cli wrong = Cli.run(fleet, "undo", "agent", "--to-revision", "7");
    assertThat(wrong.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(wrong.err())
        .isEqualTo(
            "error: unable to find revision 7 of node daemon \"agent\"; revisions kept: 1, 2\n");
    Cli same = Cli.run(fleet, "undo", "agent", "--to-revision", "2");
    assertThat(same.out())
        .contains("skipped rollback (current template already matches revision 2)");

    Cli undo = Cli.run(fleet, "undo", "agent");
    assertThat(undo.exitCode()).as(undo.toString()).isZero();
    assertThat(undo.out())
        .matches("nodedaemon.nodedaemon.dev/agent rollback to revision 1 \\(\\w+\\) requested\n");
    awaitRollbackRequested(fleet, 1);
  }

  @Test
  void abortRollsBackToTheCurrentRevisionAndLiftsThePause() {
    TestFleet fleet = new TestFleet("cli-abort");
    List<String> nodes = fleet.addNodes("n", 3);
    // Health gates off: they would roll the broken image back before the abort.
    fleet.create(TestFleet.withoutHealthGates(fleet.logAgent("agent")));
    fleet.awaitReadyOnExactly("agent", nodes);

    Cli nothing = Cli.run(fleet, "abort", "agent");
    assertThat(nothing.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(nothing.err()).contains("has no rollout in progress to abort");

    fleet.setImage("agent", BROKEN);
    fleet.awaitPods(
        "agent",
        pods -> pods.stream().anyMatch(p -> BROKEN.equals(TestFleet.image(p))),
        java.time.Duration.ofSeconds(60));
    Cli nodesTable = awaitNodesShowing(fleet, "CrashLoopBackOff");
    assertThat(nodesTable.out()).containsPattern("2 \\(\\w+\\) +yes +0/1 +\\d+s +CrashLoopBackOff");
    assertThat(Cli.run(fleet, "pause", "agent").exitCode()).isZero();

    Cli abort = Cli.run(fleet, "abort", "agent");
    assertThat(abort.exitCode()).as(abort.toString()).isZero();
    assertThat(abort.out())
        .matches(
            "nodedaemon.nodedaemon.dev/agent rollout aborted: rolling back to revision 1"
                + " \\(\\w+\\); resumed\n");
    awaitRollbackRequested(fleet, 1);
    assertThat(fleet.get("agent").getSpec().getPaused()).isFalse();
  }

  /**
   * The request is in spec.rollbackTo, or the operator has already carried it out (it removes the
   * request and records status.lastRollback).
   */
  static NodeDaemon awaitRollbackRequested(TestFleet fleet, long revision) {
    return fleet.awaitStatus(
        "agent",
        n ->
            (n.getSpec().getRollbackTo() != null
                    && Long.valueOf(revision).equals(n.getSpec().getRollbackTo().getRevision()))
                || (n.getStatus() != null
                    && n.getStatus().getLastRollback() != null
                    && Long.valueOf(revision)
                        .equals(n.getStatus().getLastRollback().getToRevision())));
  }

  /** Runs {@code nodes} until its table shows {@code text} (pod status arrives from kwok). */
  private static Cli awaitNodesShowing(TestFleet fleet, String text) {
    Cli[] last = new Cli[1];
    fleet.awaitPods(
        "agent",
        pods -> {
          last[0] = Cli.run(fleet, "nodes", "agent");
          return last[0].out().contains(text);
        },
        java.time.Duration.ofSeconds(60));
    return last[0];
  }
}
