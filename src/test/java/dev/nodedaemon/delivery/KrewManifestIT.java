package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.nodedaemon.build.PluginDistribution;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.SharedCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The krew manifest the build writes (target/dist/nodedaemon.yaml) passes krew-index's own
 * validator, which installs every platform with {@code kubectl krew install --manifest}: the
 * archive is served from 127.0.0.1 in place of the release address, nothing else changes. Then krew
 * installs it as a user would and kubectl runs the installed plugin.
 */
class KrewManifestIT {

  private static final Path DIST = LocalCluster.projectDir().resolve("target/dist");
  private static final Pattern URI = Pattern.compile("(?m)^(\\s*uri: )(\\S+/)([^/\\s]+)$");

  @TempDir static Path dir;

  private static HttpServer server;
  private static Path archive;

  @BeforeAll
  static void serveTheArchive() throws IOException {
    String platform = PluginDistribution.platform();
    try (Stream<Path> files = Files.list(DIST)) {
      archive =
          files
              .filter(f -> f.getFileName().toString().endsWith("-" + platform + ".tar.gz"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no archive for " + platform + " in " + DIST));
    }
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          Path file = DIST.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
          if (!file.getParent().equals(DIST) || !Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
          }
          exchange.sendResponseHeaders(200, Files.size(file));
          try (OutputStream out = exchange.getResponseBody()) {
            Files.copy(file, out);
          }
        });
    server.start();
  }

  @AfterAll
  static void stopServing() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void theBuildsManifestPassesKrewsValidator() throws IOException {
    Path manifest = localManifest(Files.readString(DIST.resolve("nodedaemon.yaml")), "valid");
    Commands.Result result = validate(manifest);
    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(result.stdout() + result.stderr())
        .contains("structural validation OK")
        .contains("spec.platforms installed fine");
  }

  @Test
  void theValidatorRefusesAManifestWhoseChecksumIsNotTheArchives() throws IOException {
    String good = Files.readString(DIST.resolve("nodedaemon.yaml"));
    String wrong = good.replaceFirst("sha256: [0-9a-f]{64}", "sha256: " + "f".repeat(64));
    Commands.Result result = validate(localManifest(wrong, "wrong-sha"));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stdout() + result.stderr()).contains("checksum does not match");
  }

  @Test
  void krewInstallsThePluginAndKubectlRunsIt() throws IOException {
    Path manifest = localManifest(Files.readString(DIST.resolve("nodedaemon.yaml")), "install");
    Path krewRoot = Files.createDirectory(dir.resolve("krew-root"));
    Path krewBin =
        Path.of(Commands.run(Duration.ofMinutes(10), List.of(script(), "build")).strip());
    Map<String, String> env = Map.of("KREW_ROOT", krewRoot.toString(), "PATH", path(krewBin));
    Commands.Result install =
        Commands.tryRun(
            Duration.ofMinutes(3),
            List.of(
                krewBin.resolve("kubectl-krew").toString(),
                "install",
                "--manifest=" + manifest,
                "--archive=" + archive),
            null,
            env);
    assertThat(install.exitCode()).as(install.stdout() + install.stderr()).isZero();

    // krew unpacks without the archive's file times; the launcher restores them for its cache.
    Path installed = krewRoot.resolve("bin/kubectl-nodedaemon");
    assertThat(installed).isSymbolicLink();
    Commands.Result version =
        Commands.tryRun(
            Duration.ofMinutes(1),
            List.of(kubectl().toString(), "nodedaemon", "version"),
            null,
            Map.of("PATH", krewRoot.resolve("bin") + ":" + System.getenv("PATH")));
    assertThat(version.exitCode()).as(version.stderr()).isZero();
    assertThat(version.stdout()).startsWith("kubectl-nodedaemon ").doesNotContain("development");
  }

  /** The manifest with each uri's directory replaced by this test's server. */
  private static Path localManifest(String manifest, String name) throws IOException {
    Matcher uri = URI.matcher(manifest);
    assertThat(uri.find()).as("a uri line in %n%s", manifest).isTrue();
    String local =
        URI.matcher(manifest)
            .replaceAll("$1http://127.0.0.1:" + server.getAddress().getPort() + "/$3");
    // validate-krew-manifest takes the plugin's name from the file's: nodedaemon.yaml.
    Path file = Files.createDirectories(dir.resolve(name)).resolve("nodedaemon.yaml");
    Files.writeString(file, local);
    return file;
  }

  private static Commands.Result validate(Path manifest) {
    return Commands.tryRun(
        Duration.ofMinutes(10),
        List.of(script(), "validate", manifest.toString()),
        null,
        Map.of("PATH", path(null)));
  }

  /** kubectl's directory (validate-krew-manifest runs `kubectl krew`) before the host's PATH. */
  private static String path(Path first) {
    return (first == null ? "" : first + ":") + kubectl().getParent() + ":" + System.getenv("PATH");
  }

  private static Path kubectl() {
    return SharedCluster.get().binDir().resolve("kubectl");
  }

  private static String script() {
    return LocalCluster.projectDir().resolve("hack/krew").toString();
  }
}
