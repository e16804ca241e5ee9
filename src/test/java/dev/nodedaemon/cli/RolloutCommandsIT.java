package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.revision.RevisionPlanner;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.StatusChecks;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every plugin command against the local control plane and the packaged operator, in-process: the
 * output people read and the exit codes scripts rely on.
 */
class RolloutCommandsIT {

  private static final String V1 = "quay.io/fluentd_elasticsearch/fluentd:v2.5.2";
  private static final String V2 = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void setImageThenStatusHistoryAndNodesDescribeTheRollout() throws Exception {
    TestFleet fleet = new TestFleet("cli-rollout");
    List<String> nodes = fleet.addNodes("n", 2);
    NodeDaemon nd = fleet.logAgent("agent");
    nd.getMetadata().setAnnotations(Map.of(RevisionPlanner.CHANGE_CAUSE, "first install"));
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);

    Cli set = Cli.run(fleet, "set", "image", "agent", "fluentd-elasticsearch=" + V2);
    assertThat(set.exitCode()).as(set.toString()).isZero();
    assertThat(set.out()).isEqualTo("nodedaemon.nodedaemon.dev/agent image updated\n");

    Cli status = Cli.run(fleet, "status", "agent", "--timeout=90s");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out()).endsWith("node daemon \"agent\" successfully rolled out\n");
    fleet.awaitAllOnImage("agent", nodes, V2);

    Cli history = Cli.run(fleet, "history", "agent");
    assertThat(history.exitCode()).as(history.toString()).isZero();
    List<String> lines = history.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("nodedaemon.nodedaemon.dev/agent");
    assertThat(lines.get(1)).matches("REVISION +HASH +CHANGE-CAUSE");
    assertThat(lines.get(2)).matches("1 +\\w+ +first install");
    assertThat(lines.get(3))
        .matches(
            "2 +\\w+ +kubectl nodedaemon set image agent fluentd-elasticsearch="
                + java.util.regex.Pattern.quote(V2));

    Cli one = Cli.run(fleet, "history", "agent", "--revision", "1");
    assertThat(one.exitCode()).as(one.toString()).isZero();
    assertThat(one.out())
        .startsWith("nodedaemon.nodedaemon.dev/agent with revision #1\n")
        .contains("Change-Cause:  first install\n")
        .contains("image: " + V1);

    Cli missing = Cli.run(fleet, "history", "agent", "--revision", "9");
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(missing.err())
        .isEqualTo(
            "error: unable to find revision 9 of node daemon \"agent\"; revisions kept: 1, 2\n");

    Cli table = Cli.run(fleet, "nodes", "agent");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    List<String> rows = table.out().lines().toList();
    assertThat(rows.get(0)).matches("NODE +POD +REVISION +UPDATED +READY +AGE +REASON");
    assertThat(rows).hasSize(3);
    for (int i = 0; i < 2; i++) {
      assertThat(rows.get(i + 1))
          .matches(nodes.get(i) + " +agent-\\w+-\\w+ +2 \\(\\w+\\) +yes +1/1 +\\d+s +-");
    }

    JsonNode json =
        new ObjectMapper().readTree(Cli.run(fleet, "nodes", "agent", "-o", "json").out());
    assertThat(json).hasSize(2);
    assertThat(json.get(0).get("revision").asLong()).isEqualTo(2);
    assertThat(json.get(0).get("updated").asBoolean()).isTrue();
  }

  @Test
  void getShowsTheTreeAndWatchRedrawsItAsTheRolloutMoves() throws Exception {
    TestFleet fleet = new TestFleet("cli-get");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    fleet.awaitReadyOnExactly("agent", nodes);
    // get shows what the operator wrote in status, which follows the pods a moment later.
    fleet.awaitStatus(
        "agent",
        d ->
            d.getStatus() != null
                && java.util.Objects.equals(d.getStatus().getNumberAvailable(), 2)
                && java.util.Objects.equals(d.getStatus().getUpdatedNumberScheduled(), 2)
                && d.getStatus().getPhase() == dev.nodedaemon.api.RolloutPhase.Complete);

    Cli get = Cli.run(fleet, "get", "agent");
    assertThat(get.exitCode()).as(get.toString()).isZero();
    List<String> tree = get.out().lines().toList();
    assertThat(tree).hasSize(5);
    assertThat(tree.get(0)).matches("NAME +NODE +STATUS +READY +AGE +INFO");
    assertThat(tree.get(1)).matches("agent +Complete +\\S+ +2/2 updated, 2 available");
    assertThat(tree.get(2)).matches("└── revision 1 \\(\\w+\\) +update, stable +\\S+");
    // Oldest first: the two pods may have been created in either order.
    String pod = " +(" + nodes.get(0) + "|" + nodes.get(1) + ") +Running +1/1 +\\S+";
    assertThat(tree.get(3)).matches("    ├── agent-\\w+-\\w+" + pod);
    assertThat(tree.get(4)).matches("    └── agent-\\w+-\\w+" + pod);
    assertThat(tree.get(3).split(" +")[3]).isNotEqualTo(tree.get(4).split(" +")[3]);

    try (Cli.Running watch =
        Cli.start(
            "get",
            "agent",
            "--watch",
            "--kubeconfig=" + fleet.cluster().kubeconfig(),
            "-n",
            fleet.namespace())) {
      watch.awaitOut(out -> out.contains("└── revision 1 "), Duration.ofSeconds(30));
      Cli set = Cli.run(fleet, "set", "image", "agent", "fluentd-elasticsearch=" + V2);
      assertThat(set.exitCode()).as(set.toString()).isZero();
      // Redrawn on the watch's events until the last tree shows the fleet on revision 2.
      String out =
          watch.awaitOut(
              text -> {
                String[] trees = text.split("\n\n");
                String last = trees[trees.length - 1];
                return last.contains("└── revision 2 ")
                    && last.matches("(?s).*revision 2 \\(\\w+\\) +update, stable .*")
                    && !last.contains("revision 1 ")
                    && last.lines().filter(l -> l.matches(".* Running +1/1 .*")).count() == 2;
              },
              Duration.ofSeconds(120));
      assertThat(out.split("\n\n").length)
          .as("a tree printed for each change, not only the first and the last")
          .isGreaterThan(2);
      watch.stop();
    }
  }

  @Test
  void statusExitsNonZeroWhilePausedAndPromoteReleasesTheRollout() {
    TestFleet fleet = new TestFleet("cli-pause");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    fleet.awaitReadyOnExactly("agent", nodes);

    Cli pause = Cli.run(fleet, "pause", "agent");
    assertThat(pause.out()).isEqualTo("nodedaemon.nodedaemon.dev/agent paused\n");
    Cli again = Cli.run(fleet, "pause", "agent");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(again.err()).isEqualTo("error: nodedaemon.nodedaemon.dev/agent is already paused\n");
    Cli restart = Cli.run(fleet, "restart", "agent");
    assertThat(restart.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(restart.err()).contains("can't restart paused node daemon \"agent\"");

    Cli set = Cli.run(fleet, "set", "image", "agent", "*=" + V2);
    assertThat(set.exitCode()).as(set.toString()).isZero();
    fleet.awaitStatus(
        "agent",
        n ->
            n.getStatus() != null
                && n.getMetadata().getGeneration().equals(n.getStatus().getObservedGeneration()));

    Cli once = Cli.run(fleet, "status", "agent", "--watch=false");
    assertThat(once.exitCode()).as(once.toString()).isEqualTo(ExitCodes.NOT_COMPLETE);
    assertThat(once.out()).contains("rollout is paused: 0 out of 2 new pods have been updated");

    Cli timedOut = Cli.run(fleet, "status", "agent", "--timeout=3s");
    assertThat(timedOut.exitCode()).as(timedOut.toString()).isEqualTo(ExitCodes.NOT_COMPLETE);
    assertThat(timedOut.err()).startsWith("error: timed out after 3s waiting for node daemon");

    Cli summary = Cli.run(fleet, "status", "agent", "--watch=false", "-o", "json");
    assertThat(summary.exitCode()).isEqualTo(ExitCodes.NOT_COMPLETE);
    assertThat(summary.out()).contains("\"result\" : \"Paused\"");

    Cli promote = Cli.run(fleet, "promote", "agent");
    assertThat(promote.out()).isEqualTo("nodedaemon.nodedaemon.dev/agent promoted: resumed\n");
    Cli status = Cli.run(fleet, "status", "agent", "--timeout=90s");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    fleet.awaitAllOnImage("agent", nodes, V2);
    Cli nothing = Cli.run(fleet, "promote", "agent");
    assertThat(nothing.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(nothing.err()).contains("has no staged rollout to promote");
  }

  @Test
  void promoteLiftsAPartition() {
    TestFleet fleet = new TestFleet("cli-partition");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 3, null);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(new IntOrString(2));
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);

    Cli set = Cli.run(fleet, "set", "image", "agent", "fluentd-elasticsearch=" + V2);
    assertThat(set.exitCode()).as(set.toString()).isZero();
    Cli canary = Cli.run(fleet, "status", "agent", "--timeout=90s");
    assertThat(canary.exitCode()).as(canary.toString()).isZero();
    List<String> rows = Cli.run(fleet, "nodes", "agent").out().lines().skip(1).toList();
    assertThat(rows).as("one canary node updated, two held back by the partition").hasSize(3);
    assertThat(rows.stream().filter(r -> r.matches(".* 2 \\(\\w+\\) +yes +1/1 .*"))).hasSize(1);
    assertThat(rows.stream().filter(r -> r.matches(".* 1 \\(\\w+\\) +no +1/1 .*"))).hasSize(2);

    Cli promote = Cli.run(fleet, "promote", "agent");
    assertThat(promote.out())
        .isEqualTo("nodedaemon.nodedaemon.dev/agent promoted: partition 2 -> 0\n");
    Cli status = Cli.run(fleet, "status", "agent", "--timeout=90s");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    fleet.awaitAllOnImage("agent", nodes, V2);
  }

  @Test
  void restartMakesANewRevisionAndRollsEveryPod() {
    TestFleet fleet = new TestFleet("cli-restart");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    List<String> before =
        fleet.awaitReadyOnExactly("agent", nodes).stream()
            .map(p -> p.getMetadata().getName())
            .toList();

    Cli restart = Cli.run(fleet, "restart", "agent");
    assertThat(restart.out()).isEqualTo("nodedaemon.nodedaemon.dev/agent restarted\n");
    assertThat(fleet.get("agent").getSpec().getTemplate().getMetadata().getAnnotations())
        .containsKey(Patches.RESTARTED_AT);
    Cli status = Cli.run(fleet, "status", "agent", "--timeout=90s");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    fleet.awaitPods(
        "agent",
        pods ->
            pods.size() == 2
                && pods.stream().noneMatch(p -> before.contains(p.getMetadata().getName())),
        java.time.Duration.ofSeconds(90));
    assertThat(Cli.run(fleet, "history", "agent").out())
        .contains("kubectl nodedaemon restart agent");
  }

  @Test
  void setImageOfAContainerThatDoesNotExistChangesNothing() {
    TestFleet fleet = new TestFleet("cli-badimage");
    fleet.create(fleet.logAgent("agent"));
    Long generation = fleet.get("agent").getMetadata().getGeneration();

    Cli set = Cli.run(fleet, "set", "image", "agent", "sidecar=busybox", "fluentd-elasticsearch=x");
    assertThat(set.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(set.err())
        .isEqualTo(
            "error: unable to find container named \"sidecar\"; the template has:"
                + " fluentd-elasticsearch\n");
    assertThat(fleet.get("agent").getMetadata().getGeneration()).isEqualTo(generation);

    Cli usage = Cli.run(fleet, "set", "image", "agent", "no-equals-sign");
    assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
    Cli unknown = Cli.run(fleet, "status", "nope");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(unknown.err())
        .isEqualTo(
            "Error from server (NotFound): nodedaemons.nodedaemon.dev \"nope\" not found in"
                + " namespace \""
                + fleet.namespace()
                + "\"\n");
  }

  /**
   * The plugin's writes ask for strict field validation: a field the installed CRD does not know (a
   * plugin newer than its CRD, a misspelling) is refused with the API server's message, where it
   * would otherwise be dropped and the command would report success.
   */
  @Test
  void aWriteWithAFieldTheCrdDoesNotKnowIsRefusedNotDropped() {
    TestFleet fleet = new TestFleet("cli-strict");
    fleet.create(fleet.logAgent("agent"));
    Long generation = fleet.get("agent").getMetadata().getGeneration();
    KubeOptions options = new KubeOptions();
    options.kubeconfig = fleet.cluster().kubeconfig();
    options.namespace = fleet.namespace();

    try (Cluster cluster = options.connect()) {
      assertThatThrownBy(() -> cluster.mergePatch("agent", "{\"spec\": {\"pasued\": true}}"))
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("unknown field \"spec.pasued\"");
      assertThatThrownBy(
              () ->
                  cluster.jsonPatch(
                      "agent",
                      "[{\"op\": \"add\", \"path\": \"/spec/updateStrategy\","
                          + " \"value\": {\"rollingUpdate\": {\"maxUnavaliable\": 2}}}]"))
          .hasMessageContaining(
              "unknown field \"spec.updateStrategy.rollingUpdate.maxUnavaliable\"");
      cluster.mergePatch("agent", "{\"spec\": {\"paused\": true}}");
    }
    assertThat(fleet.get("agent").getMetadata().getGeneration()).isEqualTo(generation + 1);
  }

  /** resume releases a paused rollout; the Available condition follows the available pods. */
  @Test
  void resumeReleasesAPausedRolloutAndAvailableFollowsThePods() {
    TestFleet fleet = new TestFleet("cli-resume");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    fleet.awaitReadyOnExactly("agent", nodes);
    fleet.awaitStatus(
        "agent",
        n ->
            StatusChecks.conditionIs(n, "Available", "True")
                && "AllNodesAvailable".equals(StatusChecks.condition(n, "Available").getReason()));

    assertThat(Cli.run(fleet, "pause", "agent").exitCode()).isZero();
    assertThat(Cli.run(fleet, "set", "image", "agent", "*=" + V2).exitCode()).isZero();
    fleet.awaitStatus("agent", StatusChecks.phase(dev.nodedaemon.api.RolloutPhase.Paused));
    assertThat(fleet.pods("agent")).noneMatch(p -> V2.equals(TestFleet.image(p)));
    // A node whose pod is not Ready makes Available false, naming how many are.
    NodeDaemon one = fleet.get("agent");
    fleet
        .client()
        .pods()
        .inNamespace(fleet.namespace())
        .withName(fleet.pods("agent").getFirst().getMetadata().getName())
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\": {\"annotations\": {\"nodedaemon.dev/fake\": \"notready\"}}}");
    NodeDaemon unavailable =
        fleet.awaitStatus("agent", n -> StatusChecks.conditionIs(n, "Available", "False"));
    assertThat(StatusChecks.condition(unavailable, "Available").getMessage())
        .isEqualTo("1 of 2 nodes have an available daemon pod");
    assertThat(one.getStatus().getNumberAvailable()).isEqualTo(2);

    Cli resume = Cli.run(fleet, "resume", "agent");
    assertThat(resume.exitCode()).as(resume.toString()).isZero();
    assertThat(resume.out()).isEqualTo("nodedaemon.nodedaemon.dev/agent resumed\n");
    Cli again = Cli.run(fleet, "resume", "agent");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(again.err()).contains("is not paused");
    fleet.awaitAllOnImage("agent", nodes, V2);
    fleet.awaitStatus(
        "agent",
        n ->
            StatusChecks.phase(dev.nodedaemon.api.RolloutPhase.Complete).test(n)
                && StatusChecks.conditionIs(n, "Available", "True"));
  }
}
