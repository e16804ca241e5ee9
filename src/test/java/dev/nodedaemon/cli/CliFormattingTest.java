package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nodedaemon.api.BlockingNode;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonSpec;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.api.UpdateStrategy;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin's pure parts: rollout verdicts, patches, tables and parsing. */
class CliFormattingTest {

  @Test
  void statusIsNotTrustedUntilTheOperatorHasSeenTheGeneration() {
    NodeDaemon nd = nodeDaemon(2, 1, 3, 3, 3);
    nd.getStatus().setPhase(RolloutPhase.Complete);
    assertThat(RolloutState.of(nd).result()).isEqualTo(RolloutState.Result.WAITING);
    assertThat(RolloutState.of(nd).message())
        .isEqualTo("Waiting for node daemon spec update to be observed...");
  }

  @Test
  void withoutAPhaseTheCountersDecideAsKubectlDoes() {
    assertThat(RolloutState.of(nodeDaemon(1, 1, 5, 3, 5)).message())
        .isEqualTo(
            "Waiting for node daemon \"agent\" rollout to finish: 3 out of 5 new pods have been"
                + " updated...");
    assertThat(RolloutState.of(nodeDaemon(1, 1, 5, 5, 4)).message())
        .isEqualTo(
            "Waiting for node daemon \"agent\" rollout to finish: 4 of 5 updated pods are"
                + " available...");
    RolloutState done = RolloutState.of(nodeDaemon(1, 1, 5, 5, 5));
    assertThat(done.result()).isEqualTo(RolloutState.Result.COMPLETE);
    assertThat(done.message()).isEqualTo("node daemon \"agent\" successfully rolled out");
  }

  @Test
  void theTargetIsTheOneTheOperatorReportsNotOneComputedFromTheSpec() {
    // An update node selector holds 3 of 5 nodes back; the spec's partition says nothing of it.
    NodeDaemon nd = nodeDaemon(1, 1, 5, 1, 5);
    RollingUpdate rolling = new RollingUpdate();
    rolling.setNodeSelector(Map.of("canary", "true"));
    UpdateStrategy strategy = new UpdateStrategy();
    strategy.setRollingUpdate(rolling);
    nd.getSpec().setUpdateStrategy(strategy);
    nd.getStatus().setPhase(RolloutPhase.Progressing);
    nd.getStatus().setRollout(new RolloutProgress());
    nd.getStatus().getRollout().setTargetNodes(2);
    assertThat(RolloutState.of(nd).message())
        .isEqualTo(
            "Waiting for node daemon \"agent\" rollout to finish: 1 out of 2 new pods have been"
                + " updated...");
    assertThat(RolloutState.target(nd.getStatus())).isEqualTo(2);
    nd.getStatus().setRollout(null);
    assertThat(RolloutState.target(nd.getStatus()))
        .as("an operator from before targetNodes: every node it should run on")
        .isEqualTo(5);
  }

  @Test
  void thePhaseDecidesWhenTheOperatorSetsIt() {
    NodeDaemon failed = nodeDaemon(1, 1, 3, 1, 2);
    failed.getStatus().setPhase(RolloutPhase.Failed);
    failed
        .getStatus()
        .setConditions(
            List.of(
                new ConditionBuilder()
                    .withType("Progressing")
                    .withStatus("False")
                    .withReason("ProgressDeadlineExceeded")
                    .withMessage("no progress for 5s")
                    .build()));
    failed
        .getStatus()
        .setBlockingNodes(List.of(new BlockingNode("node-1", "CrashLoopBackOff", "back-off 10s")));
    assertThat(RolloutState.of(failed))
        .isEqualTo(
            new RolloutState(
                RolloutState.Result.FAILED,
                "node daemon \"agent\" rollout failed: no progress for 5s"));
    failed
        .getStatus()
        .setBlockingNodes(
            List.of(
                new BlockingNode("node-1", "CrashLoopBackOff", "back-off 10s"),
                new BlockingNode("node-2", "NotReady", null)));
    assertThat(RolloutState.blockingLines(failed.getStatus(), true))
        .containsExactly("  node-1: CrashLoopBackOff (back-off 10s)", "  node-2: NotReady");
    assertThat(RolloutState.blockingLines(failed.getStatus(), false))
        .as("while progressing, a node being replaced is not news")
        .containsExactly("  node-1: CrashLoopBackOff (back-off 10s)");

    NodeDaemon stillGoing = nodeDaemon(1, 1, 3, 3, 3);
    stillGoing.getStatus().setPhase(RolloutPhase.Progressing);
    assertThat(RolloutState.of(stillGoing).result()).isEqualTo(RolloutState.Result.WAITING);

    NodeDaemon paused = nodeDaemon(1, 1, 3, 1, 3);
    paused.getStatus().setPhase(RolloutPhase.Paused);
    assertThat(RolloutState.of(paused).result()).isEqualTo(RolloutState.Result.PAUSED);
    NodeDaemon rollingBack = nodeDaemon(1, 1, 3, 1, 3);
    rollingBack.getStatus().setPhase(RolloutPhase.RollingBack);
    assertThat(RolloutState.of(rollingBack).message()).contains("rollback to finish: 1 out of 3");
  }

  @Test
  void setImageTestsEachContainerNameBeforeReplacingItsImage() {
    var pod =
        new PodSpecBuilder()
            .addNewInitContainer()
            .withName("init")
            .withImage("busybox:1")
            .endInitContainer()
            .addNewContainer()
            .withName("app")
            .withImage("app:1")
            .endContainer()
            .addNewContainer()
            .withName("sidecar")
            .withImage("side:1")
            .endContainer()
            .build();
    var changes = SetCommand.Image.changes(pod, Map.of("sidecar", "side:2", "app", "app:1"));
    assertThat(changes).containsOnlyKeys("containers/1");
    assertThat(Patches.setImages(changes, "why", true))
        .isEqualTo(
            "[{\"op\":\"test\",\"path\":\"/spec/template/spec/containers/1/name\","
                + "\"value\":\"sidecar\"},"
                + "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/1/image\","
                + "\"value\":\"side:2\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations/kubernetes.io~1change-cause\","
                + "\"value\":\"why\"}]");
    assertThat(SetCommand.Image.changes(pod, Map.of("*", "x:9")))
        .containsOnlyKeys("containers/0", "containers/1", "initContainers/0");
    assertThatThrownBy(() -> SetCommand.Image.changes(pod, Map.of("nope", "x")))
        .hasMessage(
            "unable to find container named \"nope\"; the template has: app, sidecar, init");
  }

  @Test
  void mergePatchesNameOnlyWhatChanges() {
    assertThat(Patches.merge().rollbackTo(3).json())
        .isEqualTo("{\"spec\":{\"rollbackTo\":{\"revision\":3}}}");
    assertThat(Patches.merge().paused(false).partitionZero().removeUpdateNodeSelector().json())
        .isEqualTo(
            "{\"spec\":{\"paused\":false,\"updateStrategy\":{\"rollingUpdate\":"
                + "{\"partition\":0,\"nodeSelector\":null}}}}");
  }

  @Test
  void nodeRowsExplainEveryNodeIncludingOnesWithoutAPod() {
    Pod crashing =
        new PodBuilder()
            .withNewMetadata()
            .withName("agent-a-h2")
            .withLabels(Map.of("controller-revision-hash", "h2"))
            .withAnnotations(Map.of("nodedaemon.dev/node", "node-a"))
            .withCreationTimestamp("2026-01-01T00:00:00Z")
            .endMetadata()
            .withNewSpec()
            .withNodeName("node-a")
            .addNewContainer()
            .withName("c")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .addNewContainerStatus()
            .withName("c")
            .withReady(false)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .withMessage("back-off 10s")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    Pod unschedulable =
        new PodBuilder()
            .withNewMetadata()
            .withName("agent-b-h1")
            .withLabels(Map.of("controller-revision-hash", "h1"))
            .withAnnotations(Map.of("nodedaemon.dev/node", "node-b"))
            .withCreationTimestamp("2026-01-01T00:00:00Z")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("c")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/3 nodes are available: 1 Insufficient cpu.")
            .endCondition()
            .endStatus()
            .build();
    List<Revision> revisions =
        List.of(
            new Revision(1, "h1", "agent-h1", null, null, null, null),
            new Revision(2, "h2", "agent-h2", null, null, null, null));
    List<NodeRows.Row> rows =
        NodeRows.build(
            List.of(unschedulable, crashing),
            revisions,
            "h2",
            List.of(new BlockingNode("node-d", "NotReady", "node is not ready")),
            List.of("node-a", "node-b", "node-c"));
    String table = NodeRows.table(rows, Instant.parse("2026-01-01T00:05:30Z"), false);
    assertThat(table)
        .isEqualTo(
            """
            NODE     POD          REVISION   UPDATED   READY   AGE     REASON
            node-a   agent-a-h2   2 (h2)     yes       0/1     5m30s   CrashLoopBackOff
            node-b   agent-b-h1   1 (h1)     no        0/1     5m30s   Unschedulable
            node-c   <none>       -          -         -       -       PodMissing
            node-d   <none>       -          -         -       -       NotReady
            """);
  }

  @Test
  void agesAndDurationsReadAsKubectlWritesThem() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(Output.age(t, t.plusSeconds(45))).isEqualTo("45s");
    assertThat(Output.age(t, t.plusSeconds(200))).isEqualTo("3m20s");
    assertThat(Output.age(t, t.plusSeconds(25 * 60))).isEqualTo("25m");
    assertThat(Output.age(t, t.plusSeconds(5 * 3600 + 12 * 60))).isEqualTo("5h12m");
    assertThat(Output.age(t, t.plusSeconds(30 * 3600))).isEqualTo("30h");
    assertThat(Output.age(t, t.plusSeconds(76 * 3600))).isEqualTo("3d4h");
    assertThat(Output.duration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Output.duration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Output.duration("0")).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> Output.duration("5 minutes")).hasMessageContaining("invalid duration");
  }

  @Test
  void aRolloutTheOperatorHoldsForAnInvalidSpecFailsTheWaitWithItsReason() {
    NodeDaemon nd = nodeDaemon(2, 2, 3, 0, 3);
    nd.getStatus().setPhase(RolloutPhase.Paused);
    nd.getStatus()
        .setConditions(
            List.of(
                new ConditionBuilder()
                    .withType("Paused")
                    .withStatus("True")
                    .withReason("InvalidSpec")
                    .withMessage("maxSurge cannot be used with host ports (...)")
                    .build()));
    RolloutState state = RolloutState.of(nd);
    assertThat(state.result()).isEqualTo(RolloutState.Result.FAILED);
    assertThat(state.message())
        .isEqualTo(
            "node daemon \"agent\" rollout is held: maxSurge cannot be used with host ports"
                + " (...)");
  }

  @Test
  void theProgressBarShowsAvailableUpdatedAndWaitingNodes() {
    assertThat(ProgressBar.render(8, 12, 20, 20))
        .isEqualTo("[########++++........] 8/20 available, 12/20 updated");
    assertThat(ProgressBar.render(0, 0, 5, 10))
        .isEqualTo("[..........] 0/5 available, 0/5 updated");
    assertThat(ProgressBar.render(5, 5, 5, 10))
        .isEqualTo("[##########] 5/5 available, 5/5 updated");
    // One node of 5,000 moved: still one cell, so the bar is never silent about movement.
    assertThat(ProgressBar.render(1, 2, 5000, 10))
        .isEqualTo("[#+........] 1/5000 available, 2/5000 updated");
    // Counts the operator reports beyond the target (a node joined) are clamped.
    assertThat(ProgressBar.render(7, 9, 6, 6)).isEqualTo("[######] 6/6 available, 6/6 updated");
  }

  @Test
  void onATerminalTheBarIsRedrawnInPlaceAndOtherLinesStayAboveIt() {
    java.io.StringWriter text = new java.io.StringWriter();
    StatusCommand.Progress progress =
        new StatusCommand.Progress(new java.io.PrintWriter(text), true, true);
    NodeDaemon nd = nodeDaemon(1, 1, 4, 1, 3);
    nd.getStatus().setUpdatedNumberAvailable(0);
    nd.getStatus().setPhase(RolloutPhase.Progressing);
    progress.show(nd);
    nd.getStatus().setUpdatedNumberScheduled(2);
    nd.getStatus().setUpdatedNumberAvailable(1);
    progress.show(nd);
    nd.getStatus().setUpdatedNumberScheduled(4);
    nd.getStatus().setUpdatedNumberAvailable(4);
    nd.getStatus().setNumberAvailable(4);
    nd.getStatus().setPhase(RolloutPhase.Complete);
    progress.show(nd);

    String clear = "\r\033[K";
    assertThat(text.toString())
        .isEqualTo(
            "Phase Progressing\n"
                + clear
                + "[+++++++.......................] 0/4 available, 1/4 updated  Progressing"
                + clear
                + "[#######+++++++................] 1/4 available, 2/4 updated  Progressing"
                + clear
                + "node daemon \"agent\" successfully rolled out\n");
  }

  private static NodeDaemon nodeDaemon(
      long generation, long observed, int desired, int updated, int available) {
    NodeDaemon nd = new NodeDaemon();
    nd.setMetadata(new ObjectMetaBuilder().withName("agent").withGeneration(generation).build());
    nd.setSpec(new NodeDaemonSpec());
    NodeDaemonStatus status = new NodeDaemonStatus();
    status.setObservedGeneration(observed);
    status.setDesiredNumberScheduled(desired);
    status.setUpdatedNumberScheduled(updated);
    status.setNumberAvailable(available);
    nd.setStatus(status);
    return nd;
  }
}
