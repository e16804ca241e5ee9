package dev.nodedaemon.build;

import dev.nodedaemon.api.NodeDaemon;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * What the plugin's training run (dev.nodedaemon.cli.Training) talks to: a small HTTPS server in
 * the build's JVM that answers the reads of {@code get}, {@code status} and {@code history} as
 * kube-apiserver would for one NodeDaemon, one of its pods and one revision. It runs here, not in
 * the training JVM, so the AOT cache records only the classes a user's call loads (a Vert.x server
 * in the training JVM put ~1,300 Netty and Vert.x classes into the cache, which every call then
 * loaded at start).
 *
 * <p>It speaks as hack/cluster's kube-apiserver does, so the cache holds that handshake's classes:
 * TLS 1.3 with HTTP/2 by ALPN, an EC P-256 server certificate, and a client certificate with an RSA
 * key that the server requires.
 */
final class TrainingServer implements AutoCloseable {

  private final Vertx vertx;
  private final HttpServer server;
  private final String name;

  private TrainingServer(Vertx vertx, HttpServer server, String name) {
    this.vertx = vertx;
    this.server = server;
    this.name = name;
  }

  /**
   * Listens on 127.0.0.1 with the server key and certificate chain of {@code serverKeystore}
   * (PKCS12), accepting only client certificates that {@code clientCa} (PEM) signed; answers for
   * the NodeDaemon of {@code sample} (YAML), put in namespace default.
   */
  static TrainingServer start(Path sample, Path serverKeystore, String password, Path clientCa)
      throws Exception {
    NodeDaemon nodeDaemon;
    try (InputStream in = Files.newInputStream(sample)) {
      nodeDaemon = Serialization.unmarshal(in, NodeDaemon.class);
    }
    String name = nodeDaemon.getMetadata().getName();
    nodeDaemon.getMetadata().setNamespace("default");
    nodeDaemon.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
    String object = Serialization.asJson(nodeDaemon);
    String nodeDaemons = list("nodedaemon.dev/v1alpha1", "NodeDaemonList", object);
    String pods = list("v1", "PodList", pod(name));
    String revisions = list("apps/v1", "ControllerRevisionList", revision(name));
    String empty = list("v1", "List", "");
    Vertx vertx = Vertx.vertx();
    HttpServer server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setSsl(true)
                    .setUseAlpn(true)
                    .setKeyCertOptions(
                        new PfxOptions().setPath(serverKeystore.toString()).setPassword(password))
                    .setTrustOptions(new PemTrustOptions().addCertPath(clientCa.toString()))
                    .setClientAuth(ClientAuth.REQUIRED))
            .requestHandler(
                request -> {
                  String path = request.path();
                  String body;
                  if (path.endsWith("/nodedaemons/" + name)) {
                    body = object;
                  } else if (path.endsWith("/nodedaemons")) {
                    body = nodeDaemons;
                  } else if (path.endsWith("/pods")) {
                    // The pre-pull pods' read names another label: it finds none.
                    String selector = request.getParam("labelSelector");
                    body = selector != null && selector.contains("prepull") ? empty : pods;
                  } else if (path.endsWith("/controllerrevisions")) {
                    body = revisions;
                  } else {
                    body = empty;
                  }
                  request.response().putHeader("Content-Type", "application/json").end(body);
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    return new TrainingServer(vertx, server, name);
  }

  /** The NodeDaemon the server knows. */
  String name() {
    return name;
  }

  /** A kubeconfig for this server: the CA that signed its certificate, and the client's. */
  String kubeconfig(Path ca, Path clientCertificate, Path clientKey) throws IOException {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: training
          cluster:
            server: https://127.0.0.1:%d
            certificate-authority-data: %s
        users:
        - name: training
          user:
            client-certificate-data: %s
            client-key-data: %s
        contexts:
        - name: training
          context: {cluster: training, user: training, namespace: default}
        current-context: training
        """
        .formatted(server.actualPort(), base64(ca), base64(clientCertificate), base64(clientKey));
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static String list(String apiVersion, String kind, String items) {
    return "{\"apiVersion\":\"%s\",\"kind\":\"%s\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[%s]}"
        .formatted(apiVersion, kind, items);
  }

  /** A running, ready daemon pod as the operator makes it (labels, node affinity, status). */
  private static String pod(String owner) {
    return """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%1$s-0a1b2c3d4e-abc1234",\
        "namespace":"default","creationTimestamp":"2026-01-01T00:00:10Z",\
        "labels":{"nodedaemon.dev/name":"%1$s","controller-revision-hash":"abc1234"}},\
        "spec":{"nodeName":"node-0","containers":[{"name":"agent","image":"example.com/agent:1"}],\
        "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":\
        {"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In",\
        "values":["node-0"]}]}]}}}},\
        "status":{"phase":"Running","startTime":"2026-01-01T00:00:11Z",\
        "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:12Z"}],\
        "containerStatuses":[{"name":"agent","ready":true,"restartCount":0,"started":true,\
        "image":"example.com/agent:1","imageID":"","state":{"running":\
        {"startedAt":"2026-01-01T00:00:11Z"}},"lastState":{}}]}}
        """
        .formatted(owner)
        .strip();
  }

  /** Revision 1 of the owner, with a change cause. */
  private static String revision(String owner) {
    return """
        {"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"%1$s-abc1234",\
        "namespace":"default","creationTimestamp":"2026-01-01T00:00:05Z",\
        "labels":{"nodedaemon.dev/name":"%1$s","controller-revision-hash":"abc1234"},\
        "annotations":{"kubernetes.io/change-cause":"first install"}},\
        "revision":1,"data":{"spec":{"template":{"spec":{"containers":\
        [{"name":"agent","image":"example.com/agent:1"}]}}}}}
        """
        .formatted(owner)
        .strip();
  }

  private static String base64(Path pem) throws IOException {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(pem));
  }
}
