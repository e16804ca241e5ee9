package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.revision.RevisionPlanner;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin as users run it: {@code kubectl nodedaemon ...} with bin/ on PATH, through the
 * launcher script and the packaged operator's jars, in a JVM of its own.
 */
class KubectlPluginIT {

  private static final String V2 = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void kubectlFindsThePluginOnPathAndItRunsFromThePackagedJars() {
    TestFleet fleet = new TestFleet("cli-kubectl");
    List<String> nodes = fleet.addNodes("n", 2);
    var nd = fleet.logAgent("agent");
    nd.getMetadata().setAnnotations(Map.of(RevisionPlanner.CHANGE_CAUSE, "first install"));
    fleet.create(nd);
    fleet.awaitReadyOnExactly("agent", nodes);

    Commands.Result set =
        kubectl(fleet, "nodedaemon", "set", "image", "agent", "fluentd-elasticsearch=" + V2);
    assertThat(set.exitCode()).as(set.stderr()).isZero();
    assertThat(set.stdout()).isEqualTo("nodedaemon.nodedaemon.dev/agent image updated\n");

    Commands.Result status = kubectl(fleet, "nodedaemon", "status", "agent", "--timeout=90s");
    assertThat(status.exitCode()).as(status.stdout() + status.stderr()).isZero();
    assertThat(status.stdout()).endsWith("node daemon \"agent\" successfully rolled out\n");
    assertThat(status.stderr()).as("nothing but the answer: no logging noise").isEmpty();

    // kubectl's global flags before the subcommand, as kubectl users type them (issue 14).
    Commands.Result flagsFirst =
        kubectlAsTyped(
            fleet, "nodedaemon", "-n", fleet.namespace(), "status", "agent", "--watch=false");
    assertThat(flagsFirst.exitCode()).as(flagsFirst.stdout() + flagsFirst.stderr()).isZero();
    assertThat(flagsFirst.stdout()).isEqualTo("node daemon \"agent\" successfully rolled out\n");

    Commands.Result history = kubectl(fleet, "nodedaemon", "history", "agent");
    assertThat(history.exitCode()).as(history.stderr()).isZero();
    assertThat(history.stdout()).contains("first install").contains("set image agent");

    Commands.Result unknown = kubectl(fleet, "nodedaemon", "undo", "agent", "--to-revision=5");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(unknown.stderr())
        .isEqualTo(
            "error: unable to find revision 5 of node daemon \"agent\"; revisions kept: 1, 2\n");
  }

  @Test
  void kubectlCompletesThroughThePluginsHelperAndTheBashScriptDoesToo() {
    TestFleet fleet = new TestFleet("cli-complete");
    fleet.create(fleet.logAgent("agent"));

    Commands.Result subcommand = kubectlAsTyped(fleet, "__complete", "nodedaemon", "sta");
    assertThat(subcommand.exitCode()).as(subcommand.stderr()).isZero();
    assertThat(subcommand.stdout().lines().toList()).containsExactly("status", ":4");
    Commands.Result names =
        kubectlAsTyped(fleet, "__complete", "nodedaemon", "-n", fleet.namespace(), "status", "");
    assertThat(names.exitCode()).as(names.stderr()).isZero();
    assertThat(names.stdout().lines().toList()).containsExactly("agent", ":4");

    String script =
        "source <(kubectl-nodedaemon completion bash)\n"
            + "COMP_WORDS=(kubectl-nodedaemon -n "
            + fleet.namespace()
            + " promote '')\n"
            + "COMP_CWORD=4\n"
            + "_kubectl_nodedaemon\n"
            + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Commands.Result bash =
        Commands.tryRun(
            Duration.ofMinutes(1),
            List.of("bash", "-c", script),
            null,
            Map.of("PATH", path(fleet), "KUBECONFIG", fleet.cluster().kubeconfig().toString()));
    assertThat(bash.exitCode()).as(bash.stderr()).isZero();
    assertThat(bash.stdout()).isEqualTo("agent\n");
  }

  /** kubectl with the repo's bin/ first on PATH; kubeconfig and namespace from the environment. */
  private static Commands.Result kubectl(TestFleet fleet, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--namespace=" + fleet.namespace());
    return kubectlAsTyped(fleet, all.toArray(String[]::new));
  }

  /** kubectl with exactly these arguments; the kubeconfig from the environment. */
  private static Commands.Result kubectlAsTyped(TestFleet fleet, String... args) {
    LocalCluster cluster = fleet.cluster();
    List<String> command = new ArrayList<>();
    command.add(cluster.binDir().resolve("kubectl").toString());
    command.addAll(List.of(args));
    return Commands.tryRun(
        Duration.ofMinutes(3),
        command,
        null,
        Map.of("PATH", path(fleet), "KUBECONFIG", cluster.kubeconfig().toString()));
  }

  /** The repo's bin/ (the plugin and its completion helper) first, then kubectl's. */
  private static String path(TestFleet fleet) {
    return LocalCluster.projectDir().resolve("bin")
        + ":"
        + fleet.cluster().binDir()
        + ":"
        + System.getenv("PATH");
  }
}
