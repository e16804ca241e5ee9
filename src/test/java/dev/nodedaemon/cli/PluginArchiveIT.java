package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.build.PluginDistribution;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.SharedCluster;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive as a user without Java gets it: unpacked into an empty directory and run
 * by kubectl with a PATH that holds no java and no JAVA_HOME, against the real control plane.
 */
class PluginArchiveIT {

  /** What the launcher itself runs besides the bundled runtime (bash builtins aside). */
  private static final List<String> TOOLS = List.of("bash", "readlink", "dirname", "touch");

  @TempDir static Path home;

  private static Path archive;
  private static Path tools;

  @BeforeAll
  static void unpack() throws IOException {
    SharedOperator.get();
    archive = Archives.current();
    Path unpacked = Files.createDirectory(home.resolve("kubectl-nodedaemon"));
    Commands.run(
        Duration.ofMinutes(2),
        List.of("tar", "-xzf", archive.toString(), "-C", unpacked.toString()));
    tools = Files.createDirectory(home.resolve("tools"));
    for (String tool : TOOLS) {
      Files.createSymbolicLink(tools.resolve(tool), Archives.onHostPath(tool));
    }
  }

  @Test
  void versionRunsWithoutJavaOnPath() {
    Commands.Result java = clean(List.of("bash", "-c", "command -v java; echo \"[$JAVA_HOME]\""));
    assertThat(java.stdout()).as("the test's PATH must hold no java").isEqualTo("[]\n");

    Commands.Result version = kubectl(null, "nodedaemon", "version");
    assertThat(version.exitCode()).as(version.stderr()).isZero();
    assertThat(version.stdout())
        .isEqualTo("kubectl-nodedaemon " + Archives.version(archive) + "\n");
    assertThat(version.stderr()).as("no JVM or class-cache warnings").isEmpty();
  }

  @Test
  void getAndStatusReadTheRealControlPlane() {
    TestFleet fleet = new TestFleet("cli-archive");
    List<String> nodes = fleet.addNodes("n", 2);
    fleet.create(fleet.logAgent("agent"));
    fleet.awaitReadyOnExactly("agent", nodes);

    Commands.Result get = kubectl(fleet, "nodedaemon", "-n", fleet.namespace(), "get", "agent");
    assertThat(get.exitCode()).as(get.stderr()).isZero();
    assertThat(get.stdout()).contains("agent").contains(nodes.get(0)).contains(nodes.get(1));
    assertThat(get.stderr()).isEmpty();

    Commands.Result status =
        kubectl(fleet, "nodedaemon", "-n", fleet.namespace(), "status", "agent", "--watch=false");
    assertThat(status.exitCode()).as(status.stdout() + status.stderr()).isZero();
    assertThat(status.stdout()).isEqualTo("node daemon \"agent\" successfully rolled out\n");

    Commands.Result missing =
        kubectl(fleet, "nodedaemon", "-n", fleet.namespace(), "get", "no-such-agent");
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(missing.stderr())
        .startsWith(
            "Error from server (NotFound): nodedaemons.nodedaemon.dev \"no-such-agent\" not found");
  }

  /**
   * kubectl from the cluster's binaries, finding the plugin in the unpacked archive; the
   * environment holds only PATH (the tools, the archive, kubectl), HOME and KUBECONFIG.
   */
  private static Commands.Result kubectl(TestFleet fleet, String... args) {
    LocalCluster cluster = fleet == null ? SharedCluster.get() : fleet.cluster();
    List<String> command = new ArrayList<>();
    command.add(cluster.binDir().resolve("kubectl").toString());
    command.addAll(List.of(args));
    return clean(command, "KUBECONFIG=" + cluster.kubeconfig());
  }

  private static Commands.Result clean(List<String> command, String... env) {
    List<String> all = new ArrayList<>();
    all.add("/usr/bin/env");
    all.add("-i");
    all.add("PATH=" + tools + ":" + home.resolve("kubectl-nodedaemon"));
    all.add("HOME=" + home);
    all.addAll(List.of(env));
    all.addAll(command);
    return Commands.tryRun(Duration.ofMinutes(2), all, null);
  }

  /** The archive `./mvnw package` built for this machine's platform, and its parts. */
  static final class Archives {
    static Path current() throws IOException {
      Path dist = LocalCluster.projectDir().resolve("target/dist");
      String platform = PluginDistribution.platform();
      try (Stream<Path> files = Files.list(dist)) {
        List<Path> archives =
            files
                .filter(f -> f.getFileName().toString().endsWith("-" + platform + ".tar.gz"))
                .toList();
        assertThat(archives).as("one archive for %s in %s", platform, dist).hasSize(1);
        return archives.get(0);
      }
    }

    /** 0.1.0 of kubectl-nodedaemon-0.1.0-linux-amd64.tar.gz. */
    static String version(Path archive) {
      String name = archive.getFileName().toString();
      String platform = PluginDistribution.platform();
      return name.substring(
          "kubectl-nodedaemon-".length(), name.length() - ("-" + platform + ".tar.gz").length());
    }

    static Path onHostPath(String tool) {
      for (String dir : System.getenv("PATH").split(":")) {
        Path candidate = Path.of(dir, tool);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
      throw new IllegalStateException(tool + " is not on PATH");
    }
  }
}
