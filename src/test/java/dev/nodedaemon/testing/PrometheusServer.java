package dev.nodedaemon.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's package, installed by hack/prereqs) on 127.0.0.1 with a free port,
 * scraping {@code /q/metrics} of the given targets every second. Its data lives under target/ and
 * the process is stopped on {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final int port;
  private final Path log;

  private PrometheusServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * @param targets host:port of each operator to scrape
   */
  public static PrometheusServer start(String label, List<String> targets) {
    String binary = binary();
    Path dir = LocalCluster.projectDir().resolve("target/prometheus-" + label);
    try {
      Files.createDirectories(dir);
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(
          config,
          """
          global:
            scrape_interval: 1s
            scrape_timeout: 1s
            evaluation_interval: 1s
          scrape_configs:
            - job_name: nodedaemon
              metrics_path: /q/metrics
              static_configs:
                - targets: [%s]
          """
              .formatted(String.join(", ", targets)));
      int port = OperatorProcess.freePort();
      Path log = dir.resolve("prometheus.log");
      Process process =
          new ProcessBuilder(
                  binary,
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      PrometheusServer server = new PrometheusServer(process, port, log);
      server.awaitReady(Duration.ofSeconds(60));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The prometheus binary; hack/prereqs installs it when it is missing, as hack/test does. */
  private static String binary() {
    List<String> which = List.of("sh", "-c", "command -v prometheus");
    Commands.Result found = Commands.tryRun(Duration.ofSeconds(10), which, null);
    if (!found.ok()) {
      Commands.run(
          Duration.ofMinutes(10),
          List.of(LocalCluster.projectDir().resolve("hack/prereqs").toString()));
      found = Commands.tryRun(Duration.ofSeconds(10), which, null);
    }
    if (!found.ok()) {
      throw new IllegalStateException("prometheus is not installed and hack/prereqs did not do it");
    }
    return found.stdout().strip();
  }

  public int port() {
    return port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** An instant query: the {@code data.result} array. */
  public JsonNode query(String promql) {
    return get("/api/v1/query?query=" + encode(promql)).path("data").path("result");
  }

  /** A range query as Grafana makes it for a panel: the {@code data.result} array. */
  public JsonNode queryRange(String promql, Instant start, Instant end, Duration step) {
    return get("/api/v1/query_range?query="
            + encode(promql)
            + "&start="
            + start.getEpochSecond()
            + "&end="
            + end.getEpochSecond()
            + "&step="
            + step.toSeconds())
        .path("data")
        .path("result");
  }

  private JsonNode get(String path) {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        throw new IllegalStateException(
            "Prometheus answered " + response.statusCode() + " to " + path + ": " + body);
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private void awaitReady(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "prometheus exited with " + process.exitValue() + logText());
      }
      try (HttpClient http = HttpClient.newHttpClient()) {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(200); // polling a process we do not control: there is no event to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException("prometheus not ready within " + timeout + logText());
  }

  public String logText() {
    try {
      return "\n--- " + log + " ---\n" + Files.readString(log);
    } catch (IOException e) {
      return "\n(no log: " + e + ")";
    }
  }

  /** SIGTERM, then SIGKILL if it has not stopped within 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
