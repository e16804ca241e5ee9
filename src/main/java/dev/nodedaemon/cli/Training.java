package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The training run of the distribution build: runs the plugin's usual calls once in one JVM so the
 * build can record which classes they load and link into an ahead-of-time cache ({@code
 * -XX:AOTCacheOutput}, JDK 25), which later calls map instead of loading each class from its jar.
 *
 * <p>The calls are the ones users make most: {@code --help}, {@code version}, {@code completion},
 * {@code get NAME} and {@code status NAME --watch=false}. The reads go to a small HTTP server in
 * this JVM that answers with the NodeDaemon given as argument (YAML) and empty pod and revision
 * lists, because the build has no cluster; the client, its JSON mapping and the table rendering run
 * as against a real API server. Nothing here is used by a user's call.
 */
final class Training {

  private Training() {}

  /**
   * {@code Training NODEDAEMON.yaml KEYSTORE.p12 PASSWORD CERT.pem KEY.pem}: the keystore holds the
   * server's key and certificate (for 127.0.0.1), which the kubeconfig also names as the CA and as
   * the client's certificate. Exits 0 when every call ran.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      throw new IllegalArgumentException(
          "usage: Training NODEDAEMON.yaml KEYSTORE.p12 PASSWORD CERT.pem KEY.pem");
    }
    String certificate = base64(Path.of(args[3]));
    String key = base64(Path.of(args[4]));
    NodeDaemon sample;
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      sample = Serialization.unmarshal(in, NodeDaemon.class);
    }
    String name = sample.getMetadata().getName();
    sample.getMetadata().setNamespace("default");
    String object = Serialization.asJson(sample);
    String list =
        "{\"apiVersion\":\"nodedaemon.dev/v1alpha1\",\"kind\":\"NodeDaemonList\",\"metadata\":{},"
            + "\"items\":["
            + object
            + "]}";
    String empty = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{},\"items\":[]}";

    Vertx vertx = Vertx.vertx();
    HttpServer server =
        vertx
            .createHttpServer(
                // HTTP/2 by ALPN, as kube-apiserver offers it: the JDK client the plugin uses
                // takes it, and the cache should hold the classes of that path.
                new HttpServerOptions()
                    .setSsl(true)
                    .setUseAlpn(true)
                    .setKeyCertOptions(new PfxOptions().setPath(args[1]).setPassword(args[2])))
            .requestHandler(
                request -> {
                  String path = request.path();
                  String body =
                      path.endsWith("/nodedaemons/" + name)
                          ? object
                          : path.endsWith("/nodedaemons") ? list : empty;
                  request.response().putHeader("Content-Type", "application/json").end(body);
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    Path kubeconfig = Files.createTempFile("kubectl-nodedaemon-training", ".kubeconfig");
    try {
      Files.writeString(
          kubeconfig,
          """
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
              .formatted(server.actualPort(), certificate, certificate, key));
      String config = "--kubeconfig=" + kubeconfig;
      int failures = 0;
      for (List<String> call :
          List.of(
              List.of("--help"),
              List.of("--version"),
              List.of("version"),
              List.of("get", "--help"),
              List.of("completion", "bash"),
              List.of(config, "get", name),
              List.of(config, "-n", "default", "get"),
              List.of(config, "status", name, "--watch=false"),
              List.of(config, "history", name))) {
        CommandLine commandLine = Main.commandLine();
        PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
        commandLine.setOut(sink);
        commandLine.setErr(sink);
        int code = commandLine.execute(call.toArray(String[]::new));
        // status exits 3 on a rollout that has not finished, which the sample's has not.
        if (code != ExitCodes.OK && code != ExitCodes.NOT_COMPLETE) {
          System.err.println("training call " + call + " exited " + code);
          failures++;
        }
      }
      // What kubectl's and the shells' completion call (__complete) runs.
      CompletionCommand.complete(List.of("st"), new PrintWriter(OutputStream.nullOutputStream()));
      if (failures > 0) {
        System.exit(1);
      }
    } finally {
      Files.deleteIfExists(kubeconfig);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static String base64(Path pem) throws IOException {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(pem));
  }
}
