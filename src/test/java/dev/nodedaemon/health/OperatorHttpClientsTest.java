package dev.nodedaemon.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's client asks for gzip and reads a gzipped list. The server here compresses only
 * when asked, as the API server does; a client that did not ask would get plain JSON and still
 * parse it, so the test checks what was asked and sent, not only what was read.
 */
class OperatorHttpClientsTest {

  private static final String NODES =
      """
      {"kind":"NodeList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[
       {"metadata":{"name":"node-a","labels":{"zone":"a"}}},
       {"metadata":{"name":"node-b","labels":{"zone":"b"}}}]}
      """;

  private final List<String> acceptEncodings = new CopyOnWriteArrayList<>();
  private final List<String> sentEncodings = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private OperatorHttpClients factory;
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
    factory = OperatorHttpClients.create();
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

  /**
   * Over TLS the client offers ChaCha20-Poly1305 first. The server here follows the client's order,
   * as Go's does when the client puts ChaCha20 first; with fabric8's own engine the session was
   * AES-GCM.
   */
  @Test
  void tlsSessionsAreChaCha20WhenTheServerFollowsTheClient(@TempDir Path dir) throws Exception {
    char[] password = "changeit".toCharArray();
    Path keyStore = dir.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                new String(password))
            .redirectErrorStream(true)
            .start();
    assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keyStore)) {
      store.load(in, password);
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(keys.getKeyManagers(), null, null);
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(
        new HttpsConfigurator(serverTls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters ssl = serverTls.getDefaultSSLParameters();
            ssl.setUseCipherSuitesOrder(false); // the client's order decides
            params.setSSLParameters(ssl);
          }
        });
    List<String> cipherSuites = new CopyOnWriteArrayList<>();
    https.createContext(
        "/api/v1/nodes",
        exchange -> {
          cipherSuites.add(((HttpsExchange) exchange).getSSLSession().getCipherSuite());
          byte[] body = NODES.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    https.start();
    try (KubernetesClient tlsClient =
        new KubernetesClientBuilder()
            .withHttpClientFactory(factory)
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("https://127.0.0.1:" + https.getAddress().getPort())
                    .withTrustCerts(true)
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build()) {
      assertThat(tlsClient.nodes().list().getItems()).hasSize(2);
    } finally {
      https.stop(0);
    }
    assertThat(cipherSuites).containsExactly(ChaChaFirst.TLS13_CHACHA20);
  }

  @Test
  void chaCha20SuitesGoFirstAndTheOthersKeepTheirOrder() {
    String[] enabled = {
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
    };
    String[] supported = {ChaChaFirst.TLS13_CHACHA20, "TLS_AES_128_GCM_SHA256"};

    assertThat(ChaChaFirst.preferred(enabled, supported))
        .containsExactly(
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assertThat(ChaChaFirst.preferred(enabled, new String[0]))
        .as("an engine without the TLS 1.3 suite is not offered it")
        .doesNotContain(ChaChaFirst.TLS13_CHACHA20);
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
