package dev.nodedaemon.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fault-injecting proxy ({@code hack/faultproxy}) between an operator and a {@link
 * LocalCluster}'s kube-apiserver, as a process on loopback. Give the operator {@link #kubeconfig()}
 * and change the faults at any time with {@link #setRules} and {@link #blackout}.
 */
public final class FaultProxy implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path kubeconfig;
  private final URI control;
  private final HttpClient http = HttpClient.newHttpClient();

  private FaultProxy(Process process, Path kubeconfig, URI control) {
    this.process = process;
    this.kubeconfig = kubeconfig;
    this.control = control;
  }

  /** Builds the proxy if needed and starts it in front of {@code cluster}, with no faults. */
  public static FaultProxy start(LocalCluster cluster, String label) {
    String binary =
        Commands.run(
                Duration.ofMinutes(5),
                List.of(LocalCluster.projectDir().resolve("hack/fault-proxy").toString(), "build"))
            .trim();
    Path pki = cluster.stateDir().resolve("pki");
    Path kubeconfig = cluster.stateDir().resolve("kubeconfigs/faultproxy-" + label + ".kubeconfig");
    Path log = LocalCluster.projectDir().resolve("target/faultproxy-" + label + ".log");
    try {
      java.nio.file.Files.createDirectories(kubeconfig.getParent());
      Process process =
          new ProcessBuilder(
                  binary,
                  "--upstream=" + cluster.client().getConfiguration().getMasterUrl(),
                  "--upstream-ca=" + pki.resolve("ca.crt"),
                  "--client-cert=" + pki.resolve("admin.crt"),
                  "--client-key=" + pki.resolve("admin.key"),
                  "--kubeconfig-out=" + kubeconfig)
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      if (first == null) {
        throw new IllegalStateException("faultproxy exited at start; see " + log);
      }
      JsonNode addresses = JSON.readTree(first);
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      return new FaultProxy(
          process, kubeconfig, URI.create("http://" + addresses.path("control").asText()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A kubeconfig that reaches the API server through the proxy. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** Replaces the faults (and resets their counters). */
  public void setRules(Rule... rules) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode array = body.putArray("rules");
    for (Rule rule : rules) {
      array.add(rule.toJson());
    }
    send("PUT", "/rules", body.toString());
  }

  public void clearRules() {
    setRules();
  }

  /** Refuses every connection for {@code length}, cutting the open ones; returns at once. */
  public void blackout(Duration length) {
    send("POST", "/blackout?for=" + length.toMillis() + "ms", "");
  }

  /** What the proxy did: {@code forwarded}, {@code refused}, and per rule its counters. */
  public JsonNode stats() {
    return send("GET", "/stats", null);
  }

  /** Sum of one counter ({@code errors}, {@code watchesDelayed}, ...) over the current rules. */
  public long ruleCounter(String counter) {
    long sum = 0;
    for (JsonNode rule : stats().path("rules")) {
      sum += rule.path(counter).asLong();
    }
    return sum;
  }

  private JsonNode send(String method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(control.resolve(path)).timeout(Duration.ofSeconds(10));
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "faultproxy "
                + method
                + " "
                + path
                + ": "
                + response.statusCode()
                + " "
                + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close();
  }

  /**
   * One fault rule (hack/faultproxy/rules.go): which requests (verbs comma-separated, resource,
   * subresource; null matches any, "" only the resource itself) and what to do to them.
   */
  public record Rule(
      String verb,
      String resource,
      String subresource,
      int errorCode,
      double errorRate,
      int errorEvery,
      Duration latency,
      Duration watchDelay,
      Duration watchCutAfter,
      Duration answerLatency) {

    /** A fraction {@code rate} of the matching requests, at random, answered {@code code}. */
    public static Rule errors(String verb, String resource, int code, double rate) {
      return new Rule(verb, resource, null, code, rate, 0, null, null, null, null);
    }

    /** Every {@code n}-th matching request answered {@code code}. */
    public static Rule errorEvery(
        String verb, String resource, String subresource, int code, int n) {
      return new Rule(verb, resource, subresource, code, 0, n, null, null, null, null);
    }

    public static Rule watchDelay(String resource, Duration delay) {
      return new Rule("watch", resource, null, 0, 0, 0, null, delay, null, null);
    }

    public static Rule watchCutAfter(String resource, Duration after) {
      return new Rule("watch", resource, null, 0, 0, 0, null, null, after, null);
    }

    public static Rule latency(String verb, String resource, Duration latency) {
      return new Rule(verb, resource, null, 0, 0, 0, latency, null, null, null);
    }

    /**
     * The matching requests are forwarded at once but their answers held back {@code latency}: the
     * API server has done the write while the client still waits for it (counters {@code
     * answersHolding}, {@code answersLost}: held until the client had gone).
     */
    public static Rule answerLatency(String verb, String resource, Duration latency) {
      return new Rule(verb, resource, null, 0, 0, 0, null, null, null, latency);
    }

    ObjectNode toJson() {
      ObjectNode json = JSON.createObjectNode();
      if (verb != null) {
        json.put("verb", verb);
      }
      if (resource != null) {
        json.put("resource", resource);
      }
      if (subresource != null) {
        json.put("subresource", subresource);
      }
      if (errorCode != 0) {
        json.put("errorCode", errorCode);
      }
      if (errorRate != 0) {
        json.put("errorRate", errorRate);
      }
      if (errorEvery != 0) {
        json.put("errorEvery", errorEvery);
      }
      putDuration(json, "latency", latency);
      putDuration(json, "watchDelay", watchDelay);
      putDuration(json, "watchCutAfter", watchCutAfter);
      putDuration(json, "answerLatency", answerLatency);
      return json;
    }

    private static void putDuration(ObjectNode json, String field, Duration value) {
      if (value != null) {
        json.put(field, value.toMillis() + "ms");
      }
    }
  }
}
