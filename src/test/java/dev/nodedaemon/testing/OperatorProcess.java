package dev.nodedaemon.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code target/quarkus-app/quarkus-run.jar}) running as its own process
 * against a {@link LocalCluster}, as a user runs it. A process, not an in-JVM test application, so
 * tests can kill and restart it mid-rollout.
 */
public final class OperatorProcess implements AutoCloseable {

  private final Process process;
  private final int httpPort;
  private final Path log;

  private OperatorProcess(Process process, int httpPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
  }

  /** Starts the operator and waits until {@code /q/health/ready} answers 200. */
  public static OperatorProcess start(
      LocalCluster cluster, String label, Map<String, String> props) {
    return start(cluster.kubeconfig(), label, props, Map.of());
  }

  /**
   * Starts the operator with the identity of {@code kubeconfig} (a service account's, say) and
   * extra environment variables (a Deployment's, say), and waits until it is ready.
   */
  public static OperatorProcess start(
      Path kubeconfig, String label, Map<String, String> props, Map<String, String> env) {
    Path jar = LocalCluster.projectDir().resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run ./mvnw package first");
    }
    int port = freePort();
    Path log = LocalCluster.projectDir().resolve("target/operator-" + label + ".log");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dquarkus.http.host=127.0.0.1");
    props.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    try {
      OperatorProcess operator = new OperatorProcess(builder.start(), port, log);
      operator.awaitReady(Duration.ofSeconds(90));
      return operator;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code once the process has ended by itself, waiting at most {@code timeout}. */
  public int awaitExitCode(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("operator still running after " + timeout + logTail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GETs a path of the operator's HTTP server; returns status code and body. */
  public HttpResult get(String path) {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new HttpResult(response.statusCode(), response.body());
    } catch (IOException e) {
      return new HttpResult(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new HttpResult(-1, e.toString());
    }
  }

  public record HttpResult(int status, String body) {}

  /** SIGTERM, as Kubernetes stops a pod; returns the exit code. */
  public int stop(Duration timeout) {
    process.destroy();
    return awaitExit(timeout);
  }

  /** SIGKILL: the operator gets no chance to clean up, as in a node crash. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGSTOP: the JVM freezes mid-whatever, as under a long GC pause or a stalled node. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}: every thread resumes where it stopped. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    Commands.run(
        Duration.ofSeconds(10), List.of("kill", "-" + name, String.valueOf(process.pid())));
  }

  private int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        throw new IllegalStateException("operator did not stop within " + timeout);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitReady(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("operator exited with " + process.exitValue() + logTail());
      }
      if (get("/q/health/ready").status() == 200) {
        return;
      }
      try {
        Thread.sleep(200); // polling a process we do not control: there is no event to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("operator not ready within " + timeout + logTail());
  }

  /**
   * The stacks of this process's threads whose names start with {@code prefix}, from {@code jcmd
   * Thread.print}: where a stuck operator is stuck. Each keeps its state and its first {@code
   * frames} frames outside the JDK (the JDK's own frames say only that it waits).
   */
  public String threadStacks(String prefix, int frames) {
    Commands.Result dump = jcmd("Thread.print");
    if (dump.exitCode() != 0) {
      return "(no thread dump: " + dump.stderr().strip() + ")\n";
    }
    StringBuilder out = new StringBuilder();
    boolean inThread = false;
    int left = 0;
    for (String line : dump.stdout().lines().map(String::strip).toList()) {
      if (line.startsWith("\"")) {
        inThread = line.startsWith("\"" + prefix);
        left = frames;
        if (inThread) {
          out.append("  ").append(line, 0, line.indexOf('"', 1) + 1).append('\n');
        }
      } else if (inThread && line.startsWith("java.lang.Thread.State")) {
        out.append("    ").append(line).append('\n');
      } else if (inThread
          && left > 0
          && line.startsWith("at ")
          && !line.startsWith("at java.")
          && !line.startsWith("at jdk.")) {
        out.append("    ").append(line).append('\n');
        left--;
      }
    }
    return out.isEmpty() ? "  (no thread named " + prefix + "*)\n" : out.toString();
  }

  /**
   * The stacks of this process's virtual threads that run NodeDaemon code (the plan executor's
   * writes), {@code frames} frames of NodeDaemon, fabric8 or Vert.x code each; {@code Thread.print}
   * does not list virtual threads.
   */
  public String virtualThreadStacks(int frames) {
    Path file;
    try {
      file = Files.createTempFile("nodedaemon-threads", ".txt");
      Files.delete(file); // jcmd refuses to overwrite
    } catch (IOException e) {
      return "(no thread dump: " + e + ")\n";
    }
    Commands.Result dump = jcmd("Thread.dump_to_file", "-format=text", file.toString());
    List<String> lines;
    try {
      lines = dump.exitCode() == 0 ? Files.readAllLines(file) : List.of();
      Files.deleteIfExists(file);
    } catch (IOException e) {
      return "(no thread dump: " + e + ")\n";
    }
    if (dump.exitCode() != 0) {
      return "(no thread dump: " + dump.stderr().strip() + ")\n";
    }
    StringBuilder out = new StringBuilder();
    List<String> stack = new ArrayList<>();
    String header = null;
    for (String line : lines) {
      String stripped = line.strip();
      if (stripped.startsWith("#")) {
        appendIfOurs(out, header, stack, frames);
        header = stripped.contains(" virtual ") ? stripped : null;
        stack.clear();
      } else if (header != null && stripped.startsWith("at ")) {
        stack.add(stripped);
      }
    }
    appendIfOurs(out, header, stack, frames);
    return out.isEmpty() ? "  (no virtual thread in NodeDaemon code)\n" : out.toString();
  }

  /** {@code jcmd PID command...} with the jcmd beside the test JVM's java, bounded to 30 s. */
  private Commands.Result jcmd(String... command) {
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
    List<String> line = new ArrayList<>();
    line.add(java.resolveSibling("jcmd").toString());
    line.add(String.valueOf(process.pid()));
    line.addAll(List.of(command));
    return Commands.tryRun(Duration.ofSeconds(30), line, "");
  }

  private static void appendIfOurs(
      StringBuilder out, String header, List<String> stack, int frames) {
    if (header == null || stack.stream().noneMatch(f -> f.contains("dev.nodedaemon."))) {
      return;
    }
    out.append("  ").append(header).append('\n');
    stack.stream()
        .filter(
            f ->
                f.contains("dev.nodedaemon.")
                    || f.contains("io.fabric8.")
                    || f.contains("io.vertx.")
                    || f.contains("java.util.concurrent."))
        .limit(frames)
        .forEach(f -> out.append("    ").append(f).append('\n'));
  }

  /** The whole log of this process so far. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return "\n--- "
          + log
          + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "\n(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(30));
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
