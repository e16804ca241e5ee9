package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** kubectl's global flags go before or after the subcommand, and land in one place. */
class GlobalFlagsTest {

  @Test
  void namespaceBeforeOrAfterTheSubcommand() {
    for (List<String> args :
        List.of(
            List.of("-n", "seeds", "status", "agent"),
            List.of("status", "agent", "-n", "seeds"),
            List.of("status", "-n", "seeds", "agent"),
            List.of("--namespace=seeds", "status", "agent"))) {
      KubeOptions kube = parse(args);
      assertThat(kube.namespace).as(args.toString()).isEqualTo("seeds");
    }
  }

  @Test
  void everyConnectionFlagIsInheritedEvenByNestedSubcommands() {
    KubeOptions before =
        parse(
            List.of(
                "--context",
                "prod",
                "--kubeconfig",
                "/tmp/kc",
                "--request-timeout",
                "5s",
                "--as",
                "alice",
                "--as-group",
                "ops",
                "set",
                "image",
                "agent",
                "c=i"));
    KubeOptions after =
        parse(
            List.of(
                "set",
                "image",
                "agent",
                "c=i",
                "--context=prod",
                "--kubeconfig=/tmp/kc",
                "--request-timeout=5s",
                "--as=alice",
                "--as-group=ops"));
    for (KubeOptions kube : List.of(before, after)) {
      assertThat(kube.context).isEqualTo("prod");
      assertThat(kube.kubeconfig).isEqualTo(Path.of("/tmp/kc"));
      assertThat(kube.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
      assertThat(kube.as).isEqualTo("alice");
      assertThat(kube.asGroups).containsExactly("ops");
    }
    assertThat(parse(List.of("-A", "history", "agent")).allNamespaces).isTrue();
    assertThat(parse(List.of("history", "agent", "--all-namespaces")).allNamespaces).isTrue();
  }

  @Test
  void allNamespacesCannotNameOneNodeDaemon() {
    CommandLine commandLine = Main.commandLine();
    StringWriter err = new StringWriter();
    commandLine.setErr(new PrintWriter(err, true));
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    int code = commandLine.execute("-A", "status", "agent");
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .isEqualTo("error: a resource cannot be retrieved by name across all namespaces\n");
  }

  @Test
  void everySubcommandTakesHelp() {
    CommandLine commandLine = Main.commandLine();
    StringWriter out = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    assertThat(commandLine.execute("promote", "--help")).isZero();
    assertThat(out.toString())
        .startsWith("Usage: kubectl nodedaemon promote ")
        .contains("--full")
        .contains("-n, --namespace=NAMESPACE");
  }

  private static KubeOptions parse(List<String> args) {
    CommandLine commandLine = Main.commandLine();
    ParseResult result = commandLine.parseArgs(args.toArray(String[]::new));
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    return KubeOptions.of(result.commandSpec());
  }
}
