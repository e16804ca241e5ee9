package dev.nodedaemon.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a local HTTP server that never answers paths under /held (and answers /answered at once),
 * through fabric8's JDK client.
 */
class BoundedHttpClientsTest {

  private static final Duration DEADLINE = Duration.ofMillis(500);

  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private BoundedHttpClients factory;
  private HttpClient client;
  private URI base;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/held",
        exchange -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    server.createContext(
        "/answered",
        exchange -> {
          byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    factory = new BoundedHttpClients(new JdkHttpClientFactory(), DEADLINE);
    client = factory.newBuilder().build();
  }

  @AfterEach
  void stop() {
    release.countDown();
    client.close();
    factory.close();
    server.stop(0);
  }

  private CompletableFuture<HttpResponse<String>> get(String path) {
    return client.sendAsync(
        client.newHttpRequestBuilder().uri(base.resolve(path)).build(), String.class);
  }

  @Test
  void aRequestWithoutAnswerFailsAtTheDeadline() {
    long start = System.nanoTime();

    assertThatThrownBy(() -> get("/held/api/v1/pods").get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("no answer from the API server")
        .hasMessageContaining("GET /held/api/v1/pods");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(500L, 5_000L);
  }

  @Test
  void anAnswerInTimeIsPassedOn() throws Exception {
    HttpResponse<String> response = get("/answered").get(10, TimeUnit.SECONDS);

    assertThat(response.code()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{}");
  }

  @Test
  void aWatchIsNotCut() throws Exception {
    CompletableFuture<HttpResponse<String>> watch = get("/held/api/v1/pods?watch=true");

    // Nothing to wait on for an answer that must not come: three deadlines, then look.
    Thread.sleep(DEADLINE.multipliedBy(3).toMillis());
    assertThat(watch).isNotDone();
  }

  @Test
  void aKubernetesClientOnTheFactoryGivesUpOnARequestWithoutAnswer() {
    KubernetesClient kubernetes =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl(base.resolve("/held/").toString())
                    .withRequestTimeout(0) // the client's own bound off: only the factory's
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .withHttpClientFactory(factory)
            .build();
    try {
      // Unbounded, the read would wait for ever: JUnit ends it after 20 s.
      assertThatThrownBy(
              () ->
                  org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                      Duration.ofSeconds(20),
                      () -> kubernetes.configMaps().inNamespace("ns").withName("cm").get()))
          .isInstanceOf(KubernetesClientException.class)
          .rootCause()
          .isInstanceOf(TimeoutException.class);
    } finally {
      kubernetes.close();
    }
  }
}
