package dev.nodedaemon.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What the shell may complete the word being typed with, from the command line typed so far:
 * subcommands, the flags of the command at hand (inherited ones too), fixed values ({@code -o}),
 * and names the cluster knows (NodeDaemons, namespaces) through {@code lookup}. Pure but for that
 * lookup, which the caller binds to the cluster the typed flags point at.
 *
 * <p>The answer is cobra's, the format kubectl expects from a plugin's {@code
 * kubectl_complete-<plugin>} helper: one candidate a line, then {@code :<directive>}, where 4 means
 * "no file names" and 0 lets the shell fall back to file names (for {@code --kubeconfig}).
 */
final class Completion {

  /** cobra's ShellCompDirectiveDefault: the shell may complete file names. */
  static final int FILES = 0;

  /** cobra's ShellCompDirectiveNoFileComp. */
  static final int NO_FILES = 4;

  /** What the cluster is asked for. */
  enum Lookup {
    NODEDAEMONS,
    NAMESPACES,
    CONTEXTS
  }

  record Answer(List<String> candidates, int directive) {
    String text() {
      StringBuilder text = new StringBuilder();
      candidates.forEach(c -> text.append(c).append('\n'));
      return text.append(':').append(directive).append('\n').toString();
    }
  }

  /** The command the words lead to, the flags given with a value, and positionals so far. */
  record Typed(CommandSpec command, Map<String, String> flags, int positionals, String pending) {}

  private Completion() {}

  /**
   * @param words the words after {@code kubectl nodedaemon}; the last is the one being typed (empty
   *     right after a space)
   * @param lookup names from the cluster for a kind; given the flags typed (namespace, context,
   *     ...)
   */
  static Answer complete(
      CommandLine root,
      List<String> words,
      Function<Typed, Function<Lookup, List<String>>> lookup) {
    List<String> before = words.isEmpty() ? List.of() : words.subList(0, words.size() - 1);
    String current = words.isEmpty() ? "" : words.getLast();
    Typed typed = walk(root, before);
    if (typed.pending() != null) {
      return values(typed, typed.pending(), current, lookup);
    }
    if (current.startsWith("-")) {
      int eq = current.indexOf('=');
      if (eq > 0) {
        String flag = current.substring(0, eq);
        Answer values = values(typed, flag, current.substring(eq + 1), lookup);
        return new Answer(
            values.candidates().stream().map(v -> flag + "=" + v).toList(), values.directive());
      }
      return new Answer(
          typed.command().options().stream()
              .filter(o -> !o.hidden())
              .flatMap(o -> Stream.of(o.names()))
              .filter(n -> n.startsWith(current))
              .sorted()
              .toList(),
          NO_FILES);
    }
    if (!typed.command().subcommands().isEmpty()) {
      return new Answer(
          typed.command().subcommands().entrySet().stream()
              .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden())
              .map(Map.Entry::getKey)
              .filter(n -> n.startsWith(current))
              .distinct()
              .sorted()
              .toList(),
          NO_FILES);
    }
    Optional<Iterable<String>> fixed =
        typed.command().positionalParameters().stream()
            .filter(p -> p.index().contains(typed.positionals()))
            .map(p -> p.completionCandidates())
            .filter(java.util.Objects::nonNull)
            .findFirst();
    if (fixed.isPresent()) {
      List<String> values = new ArrayList<>();
      fixed.get().forEach(values::add);
      return new Answer(values.stream().filter(v -> v.startsWith(current)).toList(), NO_FILES);
    }
    if (typed.positionals() == 0 && namesOneNodeDaemon(typed.command())) {
      return new Answer(
          lookup.apply(typed).apply(Lookup.NODEDAEMONS).stream()
              .filter(n -> n.startsWith(current))
              .toList(),
          NO_FILES);
    }
    return new Answer(List.of(), NO_FILES);
  }

  /** Values for a flag: fixed ones, or names from the cluster; file names for --kubeconfig. */
  private static Answer values(
      Typed typed,
      String flag,
      String current,
      Function<Typed, Function<Lookup, List<String>>> lookup) {
    Optional<OptionSpec> option = Optional.ofNullable(typed.command().findOption(flag));
    if (option.isEmpty()) {
      return new Answer(List.of(), NO_FILES);
    }
    String name = option.get().longestName();
    List<String> values =
        switch (name) {
          case "--namespace" -> lookup.apply(typed).apply(Lookup.NAMESPACES);
          case "--context" -> lookup.apply(typed).apply(Lookup.CONTEXTS);
          case "--kubeconfig" -> null;
          default -> {
            Iterable<String> fixed = option.get().completionCandidates();
            List<String> list = new ArrayList<>();
            if (fixed != null) {
              fixed.forEach(list::add);
            }
            yield list;
          }
        };
    if (values == null) {
      return new Answer(List.of(), FILES);
    }
    return new Answer(values.stream().filter(v -> v.startsWith(current)).toList(), NO_FILES);
  }

  /**
   * Follows the words down the subcommands, skipping flags and their values; remembers the values
   * of flags (for the lookup) and a flag still waiting for its value.
   */
  static Typed walk(CommandLine root, List<String> words) {
    CommandSpec command = root.getCommandSpec();
    Map<String, String> flags = new java.util.HashMap<>();
    int positionals = 0;
    String pending = null;
    for (String word : words) {
      if (pending != null) {
        flags.put(longest(command, pending), word);
        pending = null;
        continue;
      }
      if (word.startsWith("-") && word.length() > 1) {
        int eq = word.indexOf('=');
        String flag = eq > 0 ? word.substring(0, eq) : word;
        OptionSpec option = command.findOption(flag);
        if (option != null && eq > 0) {
          flags.put(option.longestName(), word.substring(eq + 1));
        } else if (option != null && option.arity().min() > 0) {
          pending = flag;
        }
        continue;
      }
      CommandLine sub = command.subcommands().get(word);
      if (sub != null && positionals == 0) {
        command = sub.getCommandSpec();
        continue;
      }
      positionals++;
    }
    return new Typed(command, flags, positionals, pending);
  }

  private static String longest(CommandSpec command, String flag) {
    OptionSpec option = command.findOption(flag);
    return option == null ? flag : option.longestName();
  }

  private static boolean namesOneNodeDaemon(CommandSpec command) {
    Object user = command.userObject();
    return user instanceof NodeDaemonCommand
        || user instanceof GetCommand
        || user instanceof SetCommand.Image;
  }
}
