package dev.nodedaemon.health;

import io.netty.handler.ssl.DelegatingSslContext;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * The JDK TLS engine of fabric8's client, offering ChaCha20-Poly1305 before AES-GCM.
 *
 * <p>Why: the operator runs on the client compiler only (files/jvm-options), and the JDK's AES and
 * GHASH intrinsics belong to C2, so every byte of TLS was decrypted by plain Java code. In a JFR
 * profile of a 1,000-node rolling update, GHASH and AES were about a quarter of the Vert.x event
 * loop's samples (bench/results/profile.md): the watch streams, which the API server does not
 * compress. ChaCha20-Poly1305 is 32-bit additions, rotations and xors, which C1 compiles well.
 *
 * <p>Netty's default cipher list for the JDK engine leaves the TLS 1.3 ChaCha20 suite out, and
 * fabric8 builds its SSL context with that default, so {@code jdk.tls.client.cipherSuites} changes
 * nothing. Here each new engine gets its enabled suites reordered, ChaCha20 first, the rest kept in
 * their order. Go's TLS server (kube-apiserver) takes the client's choice when the client puts
 * ChaCha20 first; a server that does not allow ChaCha20 picks AES-GCM, still offered after it.
 */
final class ChaChaFirst extends JdkSSLEngineOptions {

  static final String TLS13_CHACHA20 = "TLS_CHACHA20_POLY1305_SHA256";

  private final JdkSSLEngineOptions delegate;

  ChaChaFirst(JdkSSLEngineOptions delegate) {
    this.delegate = delegate;
  }

  @Override
  public JdkSSLEngineOptions copy() {
    return this; // as fabric8's own options: Vert.x copies options, the SSL context is shared
  }

  @Override
  public SslContextFactory sslContextFactory() {
    SslContextFactory factory = delegate.sslContextFactory();
    return () ->
        new DelegatingSslContext(factory.create()) {
          @Override
          protected void initEngine(SSLEngine engine) {
            engine.setEnabledCipherSuites(
                preferred(engine.getEnabledCipherSuites(), engine.getSupportedCipherSuites()));
          }
        };
  }

  /**
   * {@code enabled} with the ChaCha20-Poly1305 suites first: the TLS 1.3 one (added when the engine
   * supports it), then any TLS 1.2 ones already enabled, then the rest in their order.
   */
  static String[] preferred(String[] enabled, String[] supported) {
    List<String> chacha = new ArrayList<>();
    List<String> others = new ArrayList<>();
    if (Arrays.asList(supported).contains(TLS13_CHACHA20)) {
      chacha.add(TLS13_CHACHA20);
    }
    for (String suite : enabled) {
      if (suite.equals(TLS13_CHACHA20)) {
        continue;
      }
      (suite.contains("CHACHA20") ? chacha : others).add(suite);
    }
    chacha.addAll(others);
    return chacha.toArray(String[]::new);
  }
}
