package dev.nodedaemon.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's client asks for gzip and reads a gzipped list. The server here compresses only
 * when asked, as the API server does; a client that did not ask would get plain JSON and still
 * parse it, so the test checks what was asked and sent, not only what was read.
 */
class CompressedResponsesTest {

  private static final String NODES =
      """
      {"kind":"NodeList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[
       {"metadata":{"name":"node-a","labels":{"zone":"a"}}},
       {"metadata":{"name":"node-b","labels":{"zone":"b"}}}]}
      """;

  private final List<String> acceptEncodings = new CopyOnWriteArrayList<>();
  private final List<String> sentEncodings = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private CompressedResponses factory;
  private KubernetesClient client;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/v1/nodes",
        exchange -> {
          String accept = exchange.getRequestHeaders().getFirst("Accept-Encoding");
          acceptEncodings.add(String.valueOf(accept));
          byte[] body = NODES.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          if (accept != null && accept.contains("gzip")) {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
              gzip.write(body);
            }
            body = zipped.toByteArray();
            exchange.getResponseHeaders().add("Content-Encoding", "gzip");
            sentEncodings.add("gzip");
          } else {
            sentEncodings.add("identity");
          }
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    factory = CompressedResponses.create();
    client =
        new KubernetesClientBuilder()
            .withHttpClientFactory(factory)
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    factory.close();
    server.stop(0);
  }

  @Test
  void listsAreAskedForGzippedAndReadInflated() {
    List<Node> nodes = client.nodes().list().getItems();

    assertThat(nodes)
        .extracting(n -> n.getMetadata().getName(), n -> n.getMetadata().getLabels().get("zone"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("node-a", "a"),
            org.assertj.core.groups.Tuple.tuple("node-b", "b"));
    assertThat(acceptEncodings).singleElement().asString().contains("gzip");
    assertThat(sentEncodings).containsExactly("gzip");
  }
}
