package dev.nodedaemon.health;

import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * fabric8's Vert.x HTTP client factory with two transport settings of the operator's own: TLS that
 * offers ChaCha20-Poly1305 first ({@link ChaChaFirst}), and responses gzip-compressed by the API
 * server.
 *
 * <p>gzip: Vert.x sends {@code Accept-Encoding: deflate, gzip} and inflates what comes back, and
 * the API server compresses any response over 128 KiB (the informers' lists; watch streams are not
 * compressed).
 *
 * <p>Why: a list of 500 kwok nodes is 1.3-2.1 MB of JSON and about 0.1 MB gzipped. The operator
 * runs on the client compiler only (files/jvm-options), and the JDK's AES-GCM and GHASH intrinsics
 * are C2 intrinsics, so every byte of TLS was decrypted by plain Java code: 27% of the CPU samples
 * of a start at 5,000 nodes (JFR, bench/results/start-phases.md), more than the JSON parsing.
 * zlib's inflater is native code, whatever the JIT.
 *
 * <p>fabric8 7.3 builds Vert.x's {@link HttpClientOptions} inside its builder and never calls its
 * own {@code additionalConfig} hook, so the options are set where they reach Vert.x: in {@link
 * Vertx#createHttpClient(HttpClientOptions)}, through a view of the client's Vert.x instance that
 * passes every other call straight on.
 */
final class OperatorHttpClients extends VertxHttpClientFactory {

  private final Vertx vertx;

  private OperatorHttpClients(Vertx vertx) {
    super(withOperatorOptions(vertx));
    this.vertx = vertx;
  }

  /**
   * A factory with a Vert.x instance of its own, made as fabric8 makes the one it would otherwise
   * create per client: daemon threads, no file cache, no class-path resolution. {@link #close()}
   * closes it (fabric8 does not close a Vert.x instance it was given).
   */
  static OperatorHttpClients create() {
    String dns = System.getProperty("vertx.disableDnsResolver");
    // As fabric8 does: the JDK's resolver, not Netty's, which reads /etc/resolv.conf its own way.
    System.setProperty("vertx.disableDnsResolver", "true");
    try {
      return new OperatorHttpClients(
          Vertx.vertx(
              new VertxOptions()
                  .setFileSystemOptions(
                      new FileSystemOptions()
                          .setFileCachingEnabled(false)
                          .setClassPathResolvingEnabled(false))
                  .setUseDaemonThread(true)));
    } finally {
      if (dns == null) {
        System.clearProperty("vertx.disableDnsResolver");
      } else {
        System.setProperty("vertx.disableDnsResolver", dns);
      }
    }
  }

  void close() {
    vertx.close();
  }

  /** A view of {@code vertx} whose HTTP clients get gzip and {@link ChaChaFirst}. */
  static Vertx withOperatorOptions(Vertx vertx) {
    return (Vertx)
        Proxy.newProxyInstance(
            Vertx.class.getClassLoader(),
            new Class<?>[] {Vertx.class},
            (proxy, method, args) -> {
              if (method.getName().equals("createHttpClient")
                  && args != null
                  && args.length > 0
                  && args[0] instanceof HttpClientOptions options) {
                options.setDecompressionSupported(true);
                if (options.getSslEngineOptions() instanceof JdkSSLEngineOptions jdk) {
                  options.setSslEngineOptions(new ChaChaFirst(jdk));
                }
              }
              try {
                return method.invoke(vertx, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
