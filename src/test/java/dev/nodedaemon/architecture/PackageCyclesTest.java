package dev.nodedaemon.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operator's packages depend on each other without cycles, so each layer (api, observe, plan,
 * apply, status, reconcile, ...) can be read and tested on its own. Read from the sources: every
 * {@code dev.nodedaemon.X} a file of package Y names, by import or fully qualified.
 */
class PackageCyclesTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/nodedaemon");
  private static final Pattern REFERENCE = Pattern.compile("dev\\.nodedaemon\\.([a-z]+)\\.");

  @Test
  void thePackagesFormNoCycle() throws IOException {
    Map<String, Set<String>> uses = dependencies();
    assertThat(uses).containsKeys("api", "plan", "apply", "observe", "status", "reconcile");
    List<String> cycles = new ArrayList<>();
    for (String start : new TreeSet<>(uses.keySet())) {
      findCycle(start, start, uses, new ArrayList<>(List.of(start)), new HashSet<>(), cycles);
    }
    assertThat(cycles).as("package cycles").isEmpty();
  }

  @Test
  void theApiModelDependsOnNoOtherPackage() throws IOException {
    assertThat(dependencies().get("api")).isEmpty();
  }

  private static void findCycle(
      String start,
      String at,
      Map<String, Set<String>> uses,
      List<String> path,
      Set<String> seen,
      List<String> cycles) {
    for (String next : uses.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        cycles.add(String.join(" -> ", path) + " -> " + start);
      } else if (seen.add(next)) {
        path.add(next);
        findCycle(start, next, uses, path, seen, cycles);
        path.remove(path.size() - 1);
      }
    }
  }

  private static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> uses = new HashMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String pkg = SOURCES.relativize(file).getName(0).toString();
        Set<String> targets = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
        Matcher m = REFERENCE.matcher(Files.readString(file));
        while (m.find()) {
          if (!m.group(1).equals(pkg)) {
            targets.add(m.group(1));
          }
        }
      }
    }
    return uses;
  }
}
