package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Shell completion: what each position of a partial command line completes with. */
class CompletionTest {

  /** The flags each cluster lookup was made with, and a cluster with two of each. */
  private final List<String> asked = new ArrayList<>();

  private Completion.Answer complete(String... words) {
    Function<Completion.Typed, Function<Completion.Lookup, List<String>>> lookup =
        typed ->
            kind -> {
              asked.add(kind + " " + typed.flags());
              return switch (kind) {
                case NODEDAEMONS -> List.of("agent", "cni");
                case NAMESPACES -> List.of("default", "seeds");
                case CONTEXTS -> List.of("kind-a", "prod");
              };
            };
    return Completion.complete(Main.commandLine(), List.of(words), lookup);
  }

  @Test
  void subcommandsThenNodeDaemonNamesThenNothing() {
    assertThat(complete("").candidates())
        .contains("get", "list", "status", "promote", "retry", "freeze", "unfreeze", "completion")
        .doesNotContain(Main.COMPLETE);
    assertThat(complete("st").text()).isEqualTo("status\n:4\n");
    assertThat(complete("-n", "seeds", "status", "").candidates()).containsExactly("agent", "cni");
    assertThat(asked).containsExactly("NODEDAEMONS {--namespace=seeds}");
    assertThat(complete("promote", "c", "--kubeconfig=/k").candidates()).isEmpty();
    assertThat(complete("promote", "c").candidates()).containsExactly("cni");
    assertThat(complete("status", "agent", "").candidates()).as("one NodeDaemon only").isEmpty();
    assertThat(complete("set", "").candidates()).containsExactly("image");
    assertThat(complete("set", "image", "").candidates()).containsExactly("agent", "cni");
  }

  @Test
  void flagsOfTheCommandAtHandIncludingInheritedOnes() {
    assertThat(complete("status", "--w").candidates()).containsExactly("--watch");
    assertThat(complete("promote", "agent", "--").candidates())
        .contains("--full", "--namespace", "--context", "--kubeconfig", "--as", "--help")
        .doesNotContain("--watch");
  }

  @Test
  void flagValuesFromTheClusterFixedListsOrFiles() {
    assertThat(complete("-n", "").candidates()).containsExactly("default", "seeds");
    assertThat(complete("--namespace=s").candidates()).containsExactly("--namespace=seeds");
    assertThat(complete("get", "--context", "p").candidates()).containsExactly("prod");
    assertThat(complete("nodes", "agent", "-o", "").candidates())
        .containsExactly("json", "yaml", "wide");
    assertThat(complete("--kubeconfig", "").directive())
        .as("the shell completes file names")
        .isEqualTo(Completion.FILES);
    assertThat(complete("completion", "").candidates()).containsExactly("bash", "zsh");
  }

  @Test
  void theScriptsAskThePluginAndZshGoesThroughBashcompinit() {
    assertThat(CompletionCommand.script(CompletionCommand.Shell.bash))
        .contains("\"${COMP_WORDS[0]}\" __complete \"${COMP_WORDS[@]:1:$COMP_CWORD}\"")
        .endsWith("complete -F _kubectl_nodedaemon kubectl-nodedaemon\n");
    assertThat(CompletionCommand.script(CompletionCommand.Shell.zsh))
        .startsWith("#compdef kubectl-nodedaemon\n")
        .contains("bashcompinit");
  }
}
