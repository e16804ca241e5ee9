package dev.nodedaemon.build;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Build step (exec-maven-plugin, package phase, after quarkus:build): the kubectl plugin as an
 * archive that needs no clone, no Maven and no installed Java, and the krew manifest that installs
 * it.
 *
 * <pre>
 * target/dist/
 *   kubectl-nodedaemon-VERSION-OS-ARCH.tar.gz   the archive, for krew or by hand
 *   kubectl-nodedaemon-OS-ARCH/                 what the archive holds (unpacked, for tests):
 *     kubectl-nodedaemon                          the launcher (bash), the file kubectl runs
 *     kubectl_complete-nodedaemon                 kubectl's completion helper for the plugin
 *     LICENSE
 *     runtime/                                    a Java runtime trimmed by jlink to {@link #MODULES}
 *     lib/*.jar                                   the plugin's classes and their libraries
 *     lib/kubectl-nodedaemon.aot                  ahead-of-time class cache from a training run
 *   nodedaemon.yaml                             krew manifest (see {@link KrewManifest})
 * </pre>
 *
 * <p>OS-ARCH is krew's platform name of the JDK that runs the build (linux-amd64 here): jlink links
 * the runtime it runs on, so each platform's archive is built on that platform and the manifest
 * lists the platforms whose archives are in target/dist.
 *
 * <p>Why the cache: a call loads about 6,000 classes (fabric8's model, Jackson, the JDK's TLS and
 * HTTP/2 client, picocli); JDK 25's AOT cache (JEP 483) stores them loaded and linked, so a call
 * maps them instead. picocli's class files are Java 5 ones, which the cache cannot hold, so the
 * build rewrites them as Java 8 ones ({@link ClassFileUpgrade}); the training talks to a {@link
 * TrainingServer} in this JVM so that the cache holds only what a call loads. The cache is valid
 * only for the very runtime and class path it was trained with, which is why the launcher names
 * each jar in a fixed order and the training runs the linked runtime itself. A cache the JVM cannot
 * use is ignored (the call is slower, not wrong).
 */
public final class PluginDistribution {

  /**
   * The JDK modules the plugin needs. jdeps on the jars a call loads names java.base, java.desktop
   * (java.beans, for Jackson), java.naming, java.sql and jdk.unsupported (Netty, Jackson); a call's
   * class-loading log adds java.logging and the management modules (fabric8, Vert.x), jdk.net and
   * jdk.naming.dns (Netty's transport and resolver); jdk.crypto.ec keeps the EC provider a
   * kubeconfig's client keys may need; java.net.http is the JDK's HTTP client, which the plugin's
   * Kubernetes client talks through (fabric8's kubernetes-httpclient-jdk). The rest of the JDK
   * (compiler, tools, XML, RMI) stays out.
   */
  static final List<String> MODULES =
      List.of(
          "java.base",
          "java.desktop",
          "java.logging",
          "java.management",
          "java.naming",
          "java.net.http",
          "java.sql",
          "jdk.crypto.ec",
          "jdk.management",
          "jdk.naming.dns",
          "jdk.net",
          "jdk.unsupported");

  /** The JVM options of every call, and of the training run (the cache needs the same GC). */
  static final List<String> JVM_OPTIONS =
      List.of(
          // A short-lived process: C1 only, the serial collector, no perf-data file.
          "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC",
          "-XX:-UsePerfData",
          // fabric8 puts the kubeconfig's client key into an in-memory PKCS12 key store and reads
          // it back (KeyManagerFactory): 2 x 10,000 PBKDF2 rounds by default, ~0.1 s of CPU per
          // call in a fresh JVM, to protect a store that is never written anywhere.
          "-Dkeystore.pkcs12.keyPbeIterationCount=1",
          "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider",
          "-Dslf4j.internal.verbosity=ERROR",
          "-Dio.netty.noUnsafe=true");

  static final String LAUNCHER = "kubectl-nodedaemon";
  static final String COMPLETION = "kubectl_complete-nodedaemon";
  static final String CACHE = "lib/kubectl-nodedaemon.aot";

  private PluginDistribution() {}

  /**
   * {@code PluginDistribution QUARKUS_APP DIST VERSION RELEASE_URL SAMPLE LICENSE}: QUARKUS_APP is
   * target/quarkus-app, DIST target/dist, RELEASE_URL where the archives are published (the
   * manifest's uri is RELEASE_URL/ARCHIVE), SAMPLE a NodeDaemon the training run reads.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      throw new IllegalArgumentException(
          "usage: PluginDistribution QUARKUS_APP DIST VERSION RELEASE_URL SAMPLE LICENSE");
    }
    Path app = Path.of(args[0]);
    Path dist = Path.of(args[1]);
    String version = args[2];
    String releaseUrl = args[3];
    Path sample = Path.of(args[4]);
    Path license = Path.of(args[5]);

    String platform = platform();
    Path stage = dist.resolve(LAUNCHER + "-" + platform);
    deleteTree(stage);
    Files.createDirectories(stage.resolve("lib"));

    List<Path> sources = new ArrayList<>();
    for (Path dir : List.of(app.resolve("app"), app.resolve("lib/main"))) {
      sources.addAll(sorted(dir));
    }
    List<String> jars = new ArrayList<>();
    for (Path jar : sources) {
      Path copy = stage.resolve("lib").resolve(jar.getFileName());
      if (ClassFileUpgrade.needed(jar)) {
        int classes = ClassFileUpgrade.upgrade(jar, copy, sources);
        System.out.printf(
            "PluginDistribution: %s: %d classes rewritten as Java 8 class files for the AOT"
                + " cache%n",
            jar.getFileName(), classes);
      } else {
        Files.copy(jar, copy);
      }
      // The AOT cache accepts a jar only with the size and time it was trained with; time 0 is
      // what the archive stores and what the launcher restores where an unpacker (krew) did not.
      Files.setLastModifiedTime(copy, FileTime.fromMillis(0));
      jars.add("lib/" + jar.getFileName());
    }
    Files.copy(license, stage.resolve("LICENSE"));
    link(stage.resolve("runtime"));
    executable(stage.resolve(LAUNCHER), launcher(version, jars));
    executable(stage.resolve(COMPLETION), completionHelper());
    train(stage, jars, sample);

    Path archive = dist.resolve(archiveName(version, platform));
    tar(stage, archive);
    System.out.printf(
        "PluginDistribution: %s (%d MiB, runtime %d MiB, %d jars, AOT cache %d MiB)%n",
        archive,
        Files.size(archive) >> 20,
        treeSize(stage.resolve("runtime")) >> 20,
        jars.size(),
        Files.size(stage.resolve(CACHE)) >> 20);
    Path manifest = KrewManifest.write(dist, version, releaseUrl);
    System.out.println("PluginDistribution: krew manifest " + manifest);
  }

  /** {@code kubectl-nodedaemon-0.1.0-linux-amd64.tar.gz}. */
  static String archiveName(String version, String platform) {
    return LAUNCHER + "-" + version + "-" + platform + ".tar.gz";
  }

  /** krew's os-arch of the JVM that runs the build: linux-amd64, darwin-arm64, ... */
  public static String platform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String osName =
        os.startsWith("linux")
            ? "linux"
            : os.startsWith("mac") ? "darwin" : os.startsWith("windows") ? "windows" : os;
    String arch = System.getProperty("os.arch");
    String archName =
        switch (arch) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          default -> arch;
        };
    return osName + "-" + archName;
  }

  private static void link(Path runtime) {
    ToolProvider jlink =
        ToolProvider.findFirst("jlink")
            .orElseThrow(() -> new IllegalStateException("jlink: the build needs a JDK"));
    StringWriter output = new StringWriter();
    PrintWriter writer = new PrintWriter(output);
    int code =
        jlink.run(
            writer,
            writer,
            "--add-modules",
            String.join(",", MODULES),
            "--strip-debug",
            "--no-header-files",
            "--no-man-pages",
            "--compress=zip-6",
            "--output",
            runtime.toString());
    if (code != 0) {
      throw new IllegalStateException("jlink exited " + code + ":\n" + output);
    }
  }

  /**
   * The launcher: finds its own directory through symlinks (krew links it into ~/.krew/bin) and
   * runs the plugin on the bundled runtime, never a java from PATH or JAVA_HOME.
   */
  static String launcher(String version, List<String> jars) {
    StringBuilder classPath = new StringBuilder();
    for (String jar : jars) {
      classPath.append(classPath.isEmpty() ? "" : ":").append("$home/").append(jar);
    }
    return """
        #!/usr/bin/env bash
        # kubectl-nodedaemon %1$s: the NodeDaemon kubectl plugin with its own Java runtime.
        # On PATH, `kubectl nodedaemon ...` runs it. Generated by the build (PluginDistribution).
        set -euo pipefail
        self="${BASH_SOURCE[0]}"
        while [[ -L "$self" ]]; do
          target="$(readlink "$self")"
          [[ "$target" == /* ]] || target="$(dirname "$self")/$target"
          self="$target"
        done
        home="$(cd "$(dirname "$self")" && pwd -P)"
        # The AOT cache holds only for jars with the file times of the build (0, as the archive
        # stores them); krew unpacks without times, so the first call puts them back.
        if [[ ! -e "$home/lib/.times" ]]; then
          touch -m -d @0 "$home"/lib/*.jar 2>/dev/null && : >"$home/lib/.times" 2>/dev/null || true
        fi
        # -XX:AOTCache: the classes the build's training run loaded, mapped ready-linked; the JVM
        # ignores a cache it cannot use. -Xlog off: a CLI prints only its answer.
        exec "$home/runtime/bin/java" %2$s \\
          -XX:AOTCache="$home/%3$s" -Xlog:aot=off -Xlog:cds=off \\
          -Dnodedaemon.version=%1$s \\
          -cp "%4$s" \\
          dev.nodedaemon.cli.Main "$@"
        """
        .formatted(version, String.join(" ", JVM_OPTIONS), CACHE, classPath);
  }

  private static String completionHelper() {
    return """
        #!/usr/bin/env bash
        # kubectl (1.26 and later) runs this to complete `kubectl nodedaemon ...`, with the words
        # after the plugin's name; the last is the one being typed.
        set -euo pipefail
        self="${BASH_SOURCE[0]}"
        while [[ -L "$self" ]]; do
          target="$(readlink "$self")"
          [[ "$target" == /* ]] || target="$(dirname "$self")/$target"
          self="$target"
        done
        exec "$(cd "$(dirname "$self")" && pwd -P)/kubectl-nodedaemon" __complete "$@"
        """;
  }

  /**
   * Runs dev.nodedaemon.cli.Training on the linked runtime with the launcher's options and class
   * path against a {@link TrainingServer} in this JVM; at exit the training JVM writes the AOT
   * cache (JDK 25's one-step -XX:AOTCacheOutput).
   */
  private static void train(Path stage, List<String> jars, Path sample) throws Exception {
    Path home = stage.toAbsolutePath();
    Path pki = Files.createTempDirectory("kubectl-nodedaemon-training");
    try {
      String password = TRAINING_PASSWORD;
      trainingPki(pki, password);
      try (TrainingServer api =
          TrainingServer.start(
              sample, pki.resolve("server.p12"), password, pki.resolve("ca.crt"))) {
        Path kubeconfig = pki.resolve("kubeconfig");
        Files.writeString(
            kubeconfig,
            api.kubeconfig(
                pki.resolve("ca.crt"), pki.resolve("client.crt"), pki.resolve("client.key")));
        List<String> command = new ArrayList<>();
        command.add(home.resolve("runtime/bin/java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-XX:AOTCacheOutput=" + home.resolve(CACHE));
        command.add("-Xlog:aot=error");
        command.add("-cp");
        command.add(String.join(":", jars.stream().map(j -> home.resolve(j).toString()).toList()));
        command.add("dev.nodedaemon.cli.Training");
        command.add(kubeconfig.toString());
        command.add(api.name());
        run(command, home);
      }
    } finally {
      deleteTree(pki);
    }
    if (!Files.isRegularFile(stage.resolve(CACHE))) {
      throw new IllegalStateException("the training run wrote no AOT cache " + CACHE);
    }
  }

  /**
   * The training's certificates as hack/cluster's (and kubeadm's) are made: a CA, a server
   * certificate for 127.0.0.1 that it signed (so the client validates a chain, not a trust anchor
   * itself), with an EC P-256 key as kube-apiserver's here, and a client certificate with an RSA
   * key as the admin's. Writes ca.crt, server.p12 (key and chain), client.crt and client.key (PEM),
   * all valid for a day.
   */
  private static void trainingPki(Path dir, String password) throws Exception {
    keytool(
        dir,
        "-genkeypair",
        "-keystore",
        "ca.p12",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-keysize",
        "256",
        "-dname",
        "CN=training-ca",
        "-ext",
        "bc:c",
        "-validity",
        "1");
    keytool(dir, "-exportcert", "-rfc", "-keystore", "ca.p12", "-alias", "ca", "-file", "ca.crt");
    for (List<String> leaf :
        List.of(
            List.of("server", "EC", "256", "SAN=ip:127.0.0.1"),
            List.of("client", "RSA", "2048", "EKU=clientAuth"))) {
      String name = leaf.get(0);
      String keystore = name + ".p12";
      keytool(
          dir,
          "-genkeypair",
          "-keystore",
          keystore,
          "-alias",
          name,
          "-keyalg",
          leaf.get(1),
          "-keysize",
          leaf.get(2),
          "-dname",
          "CN=training-" + name,
          "-validity",
          "1");
      keytool(dir, "-certreq", "-keystore", keystore, "-alias", name, "-file", name + ".csr");
      keytool(
          dir,
          "-gencert",
          "-rfc",
          "-keystore",
          "ca.p12",
          "-alias",
          "ca",
          "-infile",
          name + ".csr",
          "-outfile",
          name + ".crt",
          "-ext",
          leaf.get(3),
          "-validity",
          "1");
      keytool(
          dir,
          "-importcert",
          "-noprompt",
          "-keystore",
          keystore,
          "-alias",
          "ca",
          "-file",
          "ca.crt");
      keytool(dir, "-importcert", "-keystore", keystore, "-alias", name, "-file", name + ".crt");
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(dir.resolve(keystore))) {
        store.load(in, password.toCharArray());
      }
      Files.writeString(
          dir.resolve(name + ".key"),
          pem("PRIVATE KEY", store.getKey(name, password.toCharArray()).getEncoded()));
    }
  }

  private static final String TRAINING_PASSWORD = "training";

  private static void keytool(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", TRAINING_PASSWORD));
    run(command, dir);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /**
   * A reproducible tar.gz of the stage's contents (sorted names, no owners, fixed times). Links
   * (jlink links each module's legal notices to java.base's) are stored as copies of the files they
   * point to, not as symlinks or hard links: krew's unpacker refuses any entry that is not a
   * regular file or a directory.
   */
  private static void tar(Path stage, Path archive) throws IOException, InterruptedException {
    Files.deleteIfExists(archive);
    run(
        List.of(
            "tar",
            "--sort=name",
            "--owner=0",
            "--group=0",
            "--numeric-owner",
            "--mtime=@0",
            "--dereference",
            "--hard-dereference",
            "-czf",
            archive.toAbsolutePath().toString(),
            "-C",
            stage.toAbsolutePath().toString(),
            "."),
        stage);
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(file)) {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      // The class path alone is 20 KB: name the program and its last argument.
      throw new IllegalStateException(
          command.get(0)
              + " ... "
              + command.get(command.size() - 1)
              + " exited "
              + process.exitValue()
              + ":\n"
              + output);
    }
  }

  private static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static List<Path> sorted(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
    }
  }

  private static long treeSize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
