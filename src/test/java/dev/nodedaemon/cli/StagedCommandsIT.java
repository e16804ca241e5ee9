package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.GateFailure;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.api.RolloutStep;
import dev.nodedaemon.api.StepPause;
import dev.nodedaemon.api.StepState;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.revision.TemplateHash;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin's commands for steps, health gates and freeze, and kubectl's flags in every position,
 * against the real API server and the generated CRD, with no operator running: the test writes
 * status as the operator's contract describes it (status.rollout's step and gate verdicts,
 * conditions, bad marks on ControllerRevisions) and asserts what the plugin prints and writes. The
 * operator's side of these requests is issue 9's, tested with it.
 */
class StagedCommandsIT {

  @BeforeAll
  static void noOperator() {
    // Started once so that it installs the CRD, then stopped: nothing rewrites the status the tests
    // write. Classes that need it start it again (SharedOperator.get()).
    SharedOperator.get();
    SharedOperator.stop();
  }

  @Test
  void statusGetAndPromoteReadTheStepFromStatus() {
    TestFleet fleet = new TestFleet("cli-steps");
    fleet.create(staged(fleet));
    writeStatus(
        fleet,
        status -> {
          status.setPhase(RolloutPhase.Paused);
          status.setDesiredNumberScheduled(20);
          status.setUpdatedNumberScheduled(1);
          status.setUpdatedNumberAvailable(1);
          status.setNumberAvailable(20);
          RolloutProgress rollout = new RolloutProgress();
          rollout.setRevision("h2");
          rollout.setTargetNodes(20);
          rollout.setStep(1);
          rollout.setStepCount(3);
          rollout.setStepNodes(1);
          rollout.setStepState(StepState.WaitingForPromote);
          rollout.setStepStateTime(Instant.now().toString());
          status.setRollout(rollout);
          status.setConditions(
              List.of(condition("Paused", "True", "StepWaitingForPromote", "step 1/3")));
        });

    Cli waiting = Cli.run(fleet, "status", "agent", "--watch=false");
    assertThat(waiting.exitCode()).as(waiting.toString()).isEqualTo(ExitCodes.NOT_COMPLETE);
    assertThat(waiting.out())
        .contains(
            "node daemon \"agent\" rollout step 1/3: 1 node, waiting for promote (continue it"
                + " with: kubectl nodedaemon promote agent)");
    Cli get = Cli.run(fleet, "get", "agent");
    assertThat(get.exitCode()).as(get.toString()).isZero();
    assertThat(get.out().lines().toList().get(1))
        .matches("agent +Paused +\\S+ +step 1/3: 1 node, waiting for promote; 1/20 updated.*");

    Cli promote = Cli.run(fleet, "promote", "agent");
    assertThat(promote.exitCode()).as(promote.toString()).isZero();
    assertThat(promote.out())
        .isEqualTo("nodedaemon.nodedaemon.dev/agent promote past step 1/3: 1 node requested\n");
    assertThat(fleet.get("agent").getSpec().getPromote().getFromStep()).isEqualTo(1);
    assertThat(fleet.get("agent").getSpec().getPromote().getFull()).isNull();

    Cli full = Cli.run(fleet, "promote", "agent", "--full");
    assertThat(full.exitCode()).as(full.toString()).isZero();
    assertThat(full.out())
        .isEqualTo(
            "nodedaemon.nodedaemon.dev/agent full promote requested: every remaining pause and"
                + " soak is skipped\n");
    assertThat(fleet.get("agent").getSpec().getPromote().getFull()).isTrue();
    assertThat(fleet.get("agent").getSpec().getPromote().getFromStep()).isNull();

    // The step soaks: still waiting, for pods this time (no --watch: it would wait).
    writeStatus(
        fleet,
        status -> {
          status.setPhase(RolloutPhase.Progressing);
          status.getRollout().setStep(2);
          status.getRollout().setStepNodes(2);
          status.getRollout().setStepState(StepState.Soaking);
          status.getRollout().setStepStateTime(Instant.now().minusSeconds(3 * 60 + 5).toString());
          status.setConditions(
              List.of(condition("Progressing", "True", "StepSoaking", "step 2/3")));
        });
    Cli soaking = Cli.run(fleet, "status", "agent", "--watch=false");
    assertThat(soaking.exitCode()).as(soaking.toString()).isEqualTo(ExitCodes.NOT_COMPLETE);
    assertThat(soaking.out()).contains("step 2/3: 10%, soaking 3m of 10m");
  }

  @Test
  void failedGatesAndHoldsFailTheStatusAtOnce() {
    TestFleet fleet = new TestFleet("cli-gates");
    fleet.create(staged(fleet));
    writeStatus(
        fleet,
        status -> {
          status.setPhase(RolloutPhase.Failed);
          RolloutProgress rollout = new RolloutProgress();
          rollout.setStep(1);
          rollout.setStepCount(3);
          rollout.setStepNodes(1);
          rollout.setStepState(StepState.Rolling);
          rollout.setFailedNodes(1);
          rollout.setFailedNodesThreshold(1);
          rollout.setGateFailures(
              List.of(
                  new GateFailure(
                      "node-0",
                      "agent-node-0-h2",
                      "CrashLoopBackOff",
                      "back-off 10s restarting failed container",
                      Instant.now().toString())));
          status.setRollout(rollout);
          status.setConditions(
              List.of(
                  condition(
                      "Failed",
                      "True",
                      "HealthGateFailed",
                      "health gates failed on 1 nodes (threshold 1): node-0: CrashLoopBackOff")));
        });
    // Watching (the default): a failed rollout ends the wait at once.
    Cli failed = Cli.run(fleet, "status", "agent", "--timeout=60s");
    assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(ExitCodes.FAILED);
    assertThat(failed.out())
        .contains(
            "node daemon \"agent\" rollout failed: health gates failed on 1 nodes (threshold 1):"
                + " node-0: CrashLoopBackOff\n"
                + "Health gates failed on 1 node (threshold 1):\n"
                + "  node-0: CrashLoopBackOff (pod agent-node-0-h2: back-off 10s restarting"
                + " failed container)\n");

    writeStatus(
        fleet,
        status -> {
          status.setPhase(RolloutPhase.Paused);
          status.setConditions(
              List.of(
                  condition("Failed", "False", "NoFailure", ""),
                  condition(
                      "Paused",
                      "True",
                      "RevisionMarkedBad",
                      "revision 2 is marked bad: OOMKilled")));
        });
    Cli held = Cli.run(fleet, "status", "agent", "--timeout=60s");
    assertThat(held.exitCode()).as(held.toString()).isEqualTo(ExitCodes.FAILED);
    assertThat(held.out())
        .contains(
            "node daemon \"agent\" rollout is held: revision 2 is marked bad: OOMKilled (change"
                + " the template, or roll it out again with: kubectl nodedaemon retry agent)");
  }

  @Test
  void freezeRetryAndHistoryWriteAndReadWhatTheOperatorUses() {
    TestFleet fleet = new TestFleet("cli-freeze");
    NodeDaemon nd = fleet.create(staged(fleet));

    Cli freeze = Cli.run(fleet, "freeze", "agent");
    assertThat(freeze.out()).isEqualTo("nodedaemon.nodedaemon.dev/agent frozen\n");
    assertThat(fleet.get("agent").getSpec().getFrozen()).isTrue();
    Cli again = Cli.run(fleet, "freeze", "agent");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(again.err()).isEqualTo("error: nodedaemon.nodedaemon.dev/agent is already frozen\n");
    writeStatus(
        fleet,
        status ->
            status.setConditions(List.of(condition("Frozen", "True", "FrozenBySpec", "frozen"))));
    Cli frozen = Cli.run(fleet, "status", "agent", "--watch=false");
    assertThat(frozen.exitCode()).isEqualTo(ExitCodes.NOT_COMPLETE);
    assertThat(frozen.out()).contains("node daemon \"agent\" is frozen");
    Cli unfreeze = Cli.run(fleet, "unfreeze", "agent");
    assertThat(unfreeze.out()).isEqualTo("nodedaemon.nodedaemon.dev/agent unfrozen\n");
    assertThat(fleet.get("agent").getSpec().getFrozen()).isNull();
    assertThat(Cli.run(fleet, "unfreeze", "agent").err())
        .isEqualTo("error: nodedaemon.nodedaemon.dev/agent is not frozen\n");

    // Two revisions as the operator keeps them: 1 an older template, 2 the current one.
    String current = TemplateHash.of(nd.getSpec().getTemplate(), 0);
    revision(fleet, "agent", 1, "older1", "first install", null);
    ControllerRevision second = revision(fleet, "agent", 2, current, "v2", null);
    Cli notBad = Cli.run(fleet, "retry", "agent");
    assertThat(notBad.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(notBad.err())
        .isEqualTo(
            "error: revision 2 ("
                + current
                + ") of node daemon \"agent\" is not marked bad; nothing to retry\n");
    assertThat(fleet.get("agent").getSpec().getRetry()).isNull();

    second.getMetadata().getAnnotations().put(Revision.BAD_REVISION_ANNOTATION, "node-0 OOMKilled");
    fleet.client().resource(second).update();
    Cli retry = Cli.run(fleet, "retry", "agent");
    assertThat(retry.exitCode()).as(retry.toString()).isZero();
    assertThat(retry.out())
        .isEqualTo(
            "nodedaemon.nodedaemon.dev/agent retry of revision 2 ("
                + current
                + ") requested (it was marked bad: node-0 OOMKilled)\n");
    assertThat(fleet.get("agent").getSpec().getRetry()).isTrue();

    Cli history = Cli.run(fleet, "history", "agent");
    List<String> lines = history.out().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1)).matches("REVISION +HASH +CHANGE-CAUSE +MARKED-BAD");
    assertThat(lines.get(2)).matches("1 +older1 +first install +-");
    assertThat(lines.get(3)).matches("2 +" + current + " +v2 +node-0 OOMKilled");
  }

  @Test
  void abortWithStepsRollsBackAndWithdrawsAPendingPromote() {
    TestFleet fleet = new TestFleet("cli-abort-steps");
    NodeDaemon nd = staged(fleet);
    nd.getSpec().setPromote(new dev.nodedaemon.api.PromoteRequest(1, null));
    nd = fleet.create(nd);
    revision(fleet, "agent", 1, "stable1", "first install", null);
    revision(fleet, "agent", 2, TemplateHash.of(nd.getSpec().getTemplate(), 0), "v2", null);
    writeStatus(
        fleet,
        status -> {
          status.setPhase(RolloutPhase.Paused);
          status.setCurrentRevision("stable1");
          RolloutProgress rollout = new RolloutProgress();
          rollout.setStep(1);
          rollout.setStepCount(3);
          rollout.setStepState(StepState.WaitingForPromote);
          status.setRollout(rollout);
        });
    Cli abort = Cli.run(fleet, "abort", "agent");
    assertThat(abort.exitCode()).as(abort.toString()).isZero();
    assertThat(abort.out())
        .isEqualTo(
            "nodedaemon.nodedaemon.dev/agent rollout aborted: rolling back to revision 1"
                + " (stable1); pending promote dropped\n");
    NodeDaemon after = fleet.get("agent");
    assertThat(after.getSpec().getRollbackTo().getRevision()).isEqualTo(1L);
    assertThat(after.getSpec().getPromote()).isNull();
  }

  @Test
  void kubectlsFlagsWorkBeforeAndAfterTheSubcommand() throws Exception {
    TestFleet fleet = new TestFleet("cli-flags");
    fleet.create(fleet.logAgent("agent"));
    writeStatus(
        fleet,
        status -> {
          status.setPhase(RolloutPhase.Complete);
          status.setDesiredNumberScheduled(0);
        });
    String kubeconfig = "--kubeconfig=" + fleet.cluster().kubeconfig();
    String namespace = fleet.namespace();

    Cli before = Cli.exec("-n", namespace, kubeconfig, "status", "agent");
    assertThat(before.exitCode()).as(before.toString()).isZero();
    assertThat(before.out()).isEqualTo("node daemon \"agent\" successfully rolled out\n");
    Cli mixed = Cli.exec(kubeconfig, "status", "-n", namespace, "agent", "--watch=false");
    assertThat(mixed.exitCode()).as(mixed.toString()).isZero();

    String context =
        Config.fromKubeconfig(Files.readString(fleet.cluster().kubeconfig()))
            .getCurrentContext()
            .getName();
    Cli withContext =
        Cli.exec("--context", context, "--request-timeout=20s", kubeconfig, "-n", namespace, "get");
    assertThat(withContext.exitCode()).as(withContext.toString()).isZero();
    assertThat(withContext.out().lines().toList().get(0))
        .matches("NAME +NODE +STATUS +READY +AGE +INFO");
    assertThat(withContext.out().lines().toList().get(1)).matches("agent +Complete +\\S+ +0/0.*");
    Cli noContext = Cli.exec(kubeconfig, "--context=nope", "-n", namespace, "get");
    assertThat(noContext.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(noContext.err())
        .isEqualTo("error: context was not found for specified context: nope\n");

    Cli all = Cli.exec(kubeconfig, "-A", "list");
    assertThat(all.exitCode()).as(all.toString()).isZero();
    assertThat(all.out().lines().toList().get(0))
        .matches("NAMESPACE +NAME +NODE +STATUS +READY +AGE +INFO");
    assertThat(all.out()).containsPattern("(?m)^" + namespace + " +agent +Complete ");
    Cli allByName = Cli.exec(kubeconfig, "get", "agent", "-A");
    assertThat(allByName.exitCode()).isEqualTo(ExitCodes.USAGE);

    String nobody = "system:serviceaccount:" + namespace + ":nobody";
    Cli impersonated = Cli.exec(kubeconfig, "--as", nobody, "-n", namespace, "history", "agent");
    assertThat(impersonated.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(impersonated.err())
        .startsWith("Error from server (Forbidden): ")
        .contains("User \"" + nobody + "\" cannot get resource \"nodedaemons\"");

    Cli missing = Cli.exec(kubeconfig, "-n", "default", "status", "agent");
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(missing.err())
        .startsWith(
            "Error from server (NotFound): nodedaemons.nodedaemon.dev \"agent\" not found in"
                + " namespace \"default\"; it exists in namespace ")
        .contains(namespace);
    Cli none = Cli.exec(kubeconfig, "-n", "default", "get");
    assertThat(none.out()).isEqualTo("No resources found in default namespace.\n");
  }

  /** A log agent with steps [1 (wait for promote), 10% (soak 10m), 100%]. */
  private static NodeDaemon staged(TestFleet fleet) {
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 1, null);
    nd.getSpec()
        .getUpdateStrategy()
        .getRollingUpdate()
        .setSteps(
            List.of(
                new RolloutStep(new IntOrString(1), new StepPause()),
                new RolloutStep(new IntOrString("10%"), new StepPause("10m")),
                new RolloutStep(new IntOrString("100%"), null)));
    return nd;
  }

  /** Writes status as the operator would, observing the NodeDaemon's current generation. */
  private static void writeStatus(TestFleet fleet, Consumer<NodeDaemonStatus> change) {
    NodeDaemon nd = fleet.get("agent");
    NodeDaemonStatus status = nd.getStatus() == null ? new NodeDaemonStatus() : nd.getStatus();
    status.setObservedGeneration(nd.getMetadata().getGeneration());
    status.setUpdateRevision(
        status.getUpdateRevision() == null ? "h2" : status.getUpdateRevision());
    change.accept(status);
    nd.setStatus(status);
    fleet
        .client()
        .resources(NodeDaemon.class)
        .inNamespace(fleet.namespace())
        .resource(nd)
        .updateStatus();
  }

  private static ControllerRevision revision(
      TestFleet fleet, String owner, long number, String hash, String cause, String bad) {
    Map<String, String> annotations = new HashMap<>();
    annotations.put("kubernetes.io/change-cause", cause);
    if (bad != null) {
      annotations.put(Revision.BAD_REVISION_ANNOTATION, bad);
    }
    ControllerRevision revision = new ControllerRevision();
    revision.setMetadata(
        new ObjectMetaBuilder()
            .withName(owner + "-" + hash)
            .withNamespace(fleet.namespace())
            .withLabels(
                Map.of(
                    DaemonPodFactory.NODEDAEMON_LABEL,
                    owner,
                    DaemonPodFactory.REVISION_LABEL,
                    hash))
            .withAnnotations(annotations)
            .build());
    revision.setRevision(number);
    // The template itself does not matter here; the API server requires data.
    revision.setData(Map.of("spec", Map.of("template", fleet.get(owner).getSpec().getTemplate())));
    return fleet.client().resource(revision).create();
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(
      String type, String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(Instant.now().toString())
        .build();
  }
}
