package dev.nodedaemon.cli;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientImpl;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * fabric8's factory for clients on the JDK's HTTP client, whose clients, once closed, also stop the
 * JDK client's selector thread.
 *
 * <p>Why (issue 14): every call to the API server took 0.3 s longer to exit than to finish. On exit
 * the JVM waits, in 10 ms steps for up to 300 ms, for every thread blocked in native code to come
 * back; the JDK client's selector thread sits in {@code epoll_wait} until its client is shut down,
 * and fabric8's close only shuts down the client's executor. A stopped client's selector thread
 * ends at once, and the JVM exits without the wait.
 */
final class StoppingJdkHttpClientFactory extends JdkHttpClientFactory {

  /** The JDK clients built through this factory; fabric8 keeps its own reference private. */
  private final List<HttpClient> built = new CopyOnWriteArrayList<>();

  @Override
  protected HttpClient.Builder createNewHttpClientBuilder() {
    return new Recording(super.createNewHttpClientBuilder());
  }

  @Override
  protected void closeHttpClient(JdkHttpClientImpl client) {
    super.closeHttpClient(client);
    // fabric8 may share one JDK client among derived clients; the CLI closes its only client
    // when its command is done, so every JDK client it made can stop.
    for (HttpClient jdkClient : built) {
      jdkClient.shutdownNow();
      try {
        jdkClient.awaitTermination(Duration.ofMillis(200));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    built.clear();
  }

  /** A builder that remembers the clients it builds. */
  private final class Recording implements HttpClient.Builder {
    private final HttpClient.Builder builder;

    Recording(HttpClient.Builder builder) {
      this.builder = builder;
    }

    @Override
    public HttpClient build() {
      HttpClient client = builder.build();
      built.add(client);
      return client;
    }

    @Override
    public HttpClient.Builder cookieHandler(CookieHandler cookieHandler) {
      builder.cookieHandler(cookieHandler);
      return this;
    }

    @Override
    public HttpClient.Builder connectTimeout(Duration duration) {
      builder.connectTimeout(duration);
      return this;
    }

    @Override
    public HttpClient.Builder sslContext(SSLContext sslContext) {
      builder.sslContext(sslContext);
      return this;
    }

    @Override
    public HttpClient.Builder sslParameters(SSLParameters sslParameters) {
      builder.sslParameters(sslParameters);
      return this;
    }

    @Override
    public HttpClient.Builder executor(Executor executor) {
      builder.executor(executor);
      return this;
    }

    @Override
    public HttpClient.Builder followRedirects(HttpClient.Redirect policy) {
      builder.followRedirects(policy);
      return this;
    }

    @Override
    public HttpClient.Builder version(HttpClient.Version version) {
      builder.version(version);
      return this;
    }

    @Override
    public HttpClient.Builder priority(int priority) {
      builder.priority(priority);
      return this;
    }

    @Override
    public HttpClient.Builder proxy(ProxySelector proxySelector) {
      builder.proxy(proxySelector);
      return this;
    }

    @Override
    public HttpClient.Builder authenticator(Authenticator authenticator) {
      builder.authenticator(authenticator);
      return this;
    }

    @Override
    public HttpClient.Builder localAddress(InetAddress localAddr) {
      builder.localAddress(localAddr);
      return this;
    }
  }
}
