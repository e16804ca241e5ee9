package dev.nodedaemon.build;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Build step (profile {@code image}, after quarkus:build): the operator's container image, made
 * with Jib from a base image tarball ({@code hack/image base}: Debian minbase and a jlink'd Java
 * runtime) into an image tarball that {@code podman load} (or {@code docker load}, {@code skopeo
 * copy docker-archive:...}) reads. No daemon and no registry are involved.
 *
 * <p>The layers follow Quarkus' fast-jar layout, in the order in which they change least to most,
 * as Quarkus' own Jib extension lays them out: {@code lib/boot}, {@code lib/main} (the
 * dependencies), {@code quarkus-run.jar}, {@code quarkus/} (the build's generated metadata), {@code
 * app/} (the operator's classes), and the chart's JVM options file. So a code change rebuilds and
 * ships only the last layers.
 *
 * <p>Invariants the chart's security settings rely on: the user is numeric and not root, and any
 * other UID works too (OpenShift assigns one) because every file is world-readable and nothing is
 * written outside {@code /tmp}, which the chart mounts as an emptyDir over a read-only root
 * filesystem. The JVM options are the chart's {@code files/jvm-options}, read by the java launcher
 * as an argument file ({@code @file}, where '#' starts a comment); {@code JAVA_OPTS_APPEND} is
 * appended after them, so the chart's {@code jvm.extraOptions} win over the file's defaults.
 */
public final class OperatorImage {

  /** The numeric user the image runs as when nobody assigns one. */
  public static final String USER = "185";

  static final AbsoluteUnixPath HOME = AbsoluteUnixPath.get("/deployments");
  static final String JVM_OPTIONS = "jvm-options";
  public static final String CHART_JVM_OPTIONS = "helm/nodedaemon/files/jvm-options";
  public static final String APPLICATION_PROPERTIES = "src/main/resources/application.properties";

  private OperatorImage() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException(
          "usage: OperatorImage <project directory> <base image tarball> <output tarball>");
    }
    Path project = Path.of(args[0]);
    Path base = Path.of(args[1]);
    Path output = Path.of(args[2]);
    Path app = project.resolve("target/quarkus-app");
    Path jvmOptions = project.resolve(CHART_JVM_OPTIONS);
    if (!Files.isRegularFile(base)) {
      throw new IllegalStateException(
          base + " is missing: run hack/image base (as root) to build the base image");
    }
    if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
      throw new IllegalStateException(app + " holds no fast-jar (quarkus-run.jar)");
    }
    String reference = reference(project.resolve(APPLICATION_PROPERTIES));
    long started = System.nanoTime();
    JibContainer image = build(base, app, jvmOptions, output, reference);
    System.out.printf(
        "OperatorImage: %s (%s) -> %s, %d MB, %.1f s%n",
        reference,
        image.getImageId(),
        output,
        Files.size(output) / 1_000_000,
        (System.nanoTime() - started) / 1e9);
  }

  /**
   * The image reference the build gives the image: Quarkus' {@code quarkus.container-image.*}
   * settings, the same that name the image in the OLM bundle's CSV.
   */
  public static String reference(Path applicationProperties) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(applicationProperties)) {
      properties.load(reader);
    }
    String registry = properties.getProperty("quarkus.container-image.registry");
    String group = properties.getProperty("quarkus.container-image.group");
    String name = properties.getProperty("quarkus.container-image.name");
    String tag = properties.getProperty("quarkus.container-image.tag");
    if (registry == null || group == null || name == null || tag == null) {
      throw new IllegalStateException(
          applicationProperties + " must set quarkus.container-image.{registry,group,name,tag}");
    }
    return registry + "/" + group + "/" + name + ":" + tag;
  }

  static JibContainer build(Path base, Path app, Path jvmOptions, Path output, String reference)
      throws Exception {
    ImageReference target = parse(reference);
    var builder =
        Jib.from(TarImage.at(base))
            .setFormat(ImageFormat.OCI)
            .addFileEntriesLayer(directoryLayer("lib/boot", app))
            .addFileEntriesLayer(directoryLayer("lib/main", app))
            .addFileEntriesLayer(
                FileEntriesLayer.builder()
                    .setName("quarkus-run.jar")
                    .addEntry(app.resolve("quarkus-run.jar"), HOME.resolve("quarkus-run.jar"))
                    .build())
            .addFileEntriesLayer(directoryLayer("quarkus", app))
            .addFileEntriesLayer(directoryLayer("app", app))
            .addFileEntriesLayer(
                FileEntriesLayer.builder()
                    .setName(JVM_OPTIONS)
                    .addEntry(jvmOptions, HOME.resolve(JVM_OPTIONS))
                    .build())
            .setWorkingDirectory(HOME)
            .setUser(USER)
            .setEnvironment(
                Map.of(
                    "JAVA_HOME", "/opt/java",
                    "PATH", "/opt/java/bin:/usr/local/bin:/usr/bin:/bin",
                    "LANG", "C.UTF-8",
                    // No home directory for an assigned UID: the JVM's and the client's caches
                    // go to the writable /tmp.
                    "HOME", "/tmp",
                    // At most two glibc malloc arenas instead of eight per core (RSS).
                    "MALLOC_ARENA_MAX", "2"))
            .setExposedPorts(Set.of(Port.tcp(8080)))
            .setEntrypoint(entrypoint())
            .setProgramArguments(List.of())
            .addLabel("org.opencontainers.image.title", "nodedaemon-operator")
            .addLabel("org.opencontainers.image.version", target.getQualifier());
    return builder.containerize(
        Containerizer.to(TarImage.at(output).named(target)).setOfflineMode(true));
  }

  /**
   * A shell, only so that {@code JAVA_OPTS_APPEND} (word-split, as run-java.sh does) lands after
   * the options file; {@code exec} leaves java as PID 1, which gets the SIGTERM on pod deletion.
   */
  static List<String> entrypoint() {
    return List.of(
        "/bin/sh",
        "-c",
        "exec java @"
            + HOME.resolve(JVM_OPTIONS)
            + " -Djava.util.logging.manager=org.jboss.logmanager.LogManager"
            + " ${JAVA_OPTS_APPEND:-} -jar "
            + HOME.resolve("quarkus-run.jar"));
  }

  private static FileEntriesLayer directoryLayer(String relative, Path app) throws IOException {
    FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(relative);
    Path root = app.resolve(relative);
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.sorted().toList()) {
        AbsoluteUnixPath inImage = HOME.resolve(relative);
        for (Path part : root.relativize(file)) {
          if (!part.toString().isEmpty()) {
            inImage = inImage.resolve(part.toString());
          }
        }
        layer.addEntry(file, inImage);
      }
    }
    return layer.build();
  }

  private static ImageReference parse(String reference) {
    try {
      return ImageReference.parse(reference);
    } catch (InvalidImageReferenceException e) {
      throw new IllegalArgumentException("not an image reference: " + reference, e);
    }
  }
}
