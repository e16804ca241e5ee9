package dev.nodedaemon.cli;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code completion bash|zsh}: a script that completes {@code kubectl-nodedaemon} in the shell by
 * asking the plugin itself ({@code __complete}, {@link Completion}), so NodeDaemon and namespace
 * names come from the cluster. {@code kubectl nodedaemon <TAB>} completes through kubectl instead
 * (1.26 and later), which runs {@code kubectl_complete-nodedaemon} from bin/ with the same answer.
 */
@Command(
    name = "completion",
    description = {
      "Print a shell completion script for kubectl-nodedaemon: bash or zsh.",
      "  source <(kubectl-nodedaemon completion bash)",
      "kubectl nodedaemon <TAB> completes through kubectl with bin/kubectl_complete-nodedaemon on"
          + " PATH."
    })
final class CompletionCommand implements Callable<Integer> {

  enum Shell {
    bash,
    zsh
  }

  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  /** The bash function; zsh runs it through bashcompinit. */
  static final String BASH_FUNCTION =
      """
      _kubectl_nodedaemon() {
        local cur="${COMP_WORDS[COMP_CWORD]}"
        local IFS=$'\\n'
        local out directive
        out=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null) || return
        directive="${out##*:}"
        out="${out%:*}"
        COMPREPLY=($(compgen -W "$out" -- "$cur"))
        if [[ ${#COMPREPLY[@]} -eq 0 && "$directive" == 0 ]]; then
          COMPREPLY=($(compgen -f -- "$cur"))
        fi
      }
      complete -F _kubectl_nodedaemon kubectl-nodedaemon
      """;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.print(script(shell));
    out.flush();
    return ExitCodes.OK;
  }

  static String script(Shell shell) {
    return switch (shell) {
      case bash -> "# bash completion for kubectl-nodedaemon\n" + BASH_FUNCTION;
      case zsh ->
          "#compdef kubectl-nodedaemon\n"
              + "# zsh completion for kubectl-nodedaemon, through bash's completion functions\n"
              + "autoload -U +X bashcompinit && bashcompinit\n"
              + BASH_FUNCTION;
    };
  }

  /**
   * {@code __complete WORDS...}: the candidates for the last word, in cobra's format. Run before
   * picocli parses anything, since the words are a partial command line, not this command's
   * arguments. Never fails: a cluster that cannot be asked gives no names.
   */
  static int complete(List<String> words, PrintWriter out) {
    CommandLine root = Main.commandLine();
    out.print(Completion.complete(root, words, CompletionCommand::lookup).text());
    out.flush();
    return ExitCodes.OK;
  }

  /** Names from the cluster the typed flags point at. */
  private static Function<Completion.Lookup, List<String>> lookup(Completion.Typed typed) {
    return kind -> {
      KubeOptions options = new KubeOptions();
      String kubeconfig = typed.flags().get("--kubeconfig");
      options.kubeconfig = kubeconfig == null ? null : Path.of(kubeconfig);
      options.context = typed.flags().get("--context");
      options.namespace = typed.flags().get("--namespace");
      options.requestTimeout = "5s";
      try {
        if (kind == Completion.Lookup.CONTEXTS) {
          Config config =
              options.kubeconfig == null
                  ? Config.autoConfigure(null)
                  : Config.fromKubeconfig(null, options.kubeconfig.toFile());
          return config.getContexts().stream().map(NamedContext::getName).sorted().toList();
        }
        try (Cluster cluster = options.connect()) {
          return switch (kind) {
            case NODEDAEMONS ->
                cluster.nodeDaemons(cluster.namespace(), null).stream()
                    .map(n -> n.getMetadata().getName())
                    .toList();
            case NAMESPACES ->
                cluster.client().namespaces().list().getItems().stream()
                    .map(Namespace::getMetadata)
                    .map(m -> m.getName())
                    .sorted()
                    .toList();
            case CONTEXTS -> List.of();
          };
        }
      } catch (RuntimeException e) {
        return List.of();
      }
    };
  }
}
