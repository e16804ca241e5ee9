package dev.nodedaemon.health;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.http.WebSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import org.jboss.logging.Logger;

/**
 * A fabric8 HTTP client factory whose clients answer every request within a deadline: a request
 * with no answer by then fails with a {@link TimeoutException}, and the caller's thread goes on.
 *
 * <p>Why: after an API server outage (FaultMatrixIT's 20 s blackout) a request of the operator's
 * Vert.x client was seen, in CI, to never complete: once a pod create, once a status patch, each
 * time past the client's own 10 s request timeout and its retry deadline. The reconcile waiting on
 * it held its NodeDaemon for good, since the Java Operator SDK does not reconcile a resource again
 * while its reconcile runs. The cause is inside the client; the bound is here, around it, for every
 * request of the operator: pods, status, revisions, events, leases, the SDK's own.
 *
 * <p>Bounded: {@code sendAsync}, which every read and write of the client goes through and which
 * completes with the whole body. Not bounded: watches (WebSockets, or a request with {@code
 * watch=true}) and byte streams ({@code consumeBytes}: logs, exec), which are meant to last.
 */
public final class BoundedHttpClients implements HttpClient.Factory {

  private static final Logger LOG = Logger.getLogger(BoundedHttpClients.class);

  private final HttpClient.Factory factory;
  private final Duration deadline;
  private final ScheduledExecutorService timer;

  public BoundedHttpClients(HttpClient.Factory factory, Duration deadline) {
    this.factory = factory;
    this.deadline = deadline;
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("api-request-deadline").factory());
    executor.setRemoveOnCancelPolicy(true); // most requests answer: their timers go at once
    this.timer = Executors.unconfigurableScheduledExecutorService(executor);
  }

  @Override
  public HttpClient.Builder newBuilder() {
    return new Builder(factory.newBuilder());
  }

  @Override
  public int priority() {
    return factory.priority();
  }

  /** Stops the deadline timer; the clients must be closed first. */
  public void close() {
    timer.shutdownNow();
  }

  /**
   * {@code answer}, or a failure once {@link #deadline} passed without one (the request is then
   * cancelled).
   */
  <T> CompletableFuture<T> bounded(HttpRequest request, CompletableFuture<T> answer) {
    CompletableFuture<T> bounded = new CompletableFuture<>();
    ScheduledFuture<?> timeout =
        timer.schedule(
            () -> {
              String message =
                  "no answer from the API server in "
                      + deadline.toSeconds()
                      + " s: "
                      + request.method()
                      + " "
                      + request.uri().getPath();
              if (bounded.completeExceptionally(new TimeoutException(message))) {
                LOG.warnf("%s; given up", message);
                answer.cancel(true);
              }
            },
            deadline.toMillis(),
            TimeUnit.MILLISECONDS);
    answer.whenComplete(
        (value, failure) -> {
          timeout.cancel(false);
          if (failure != null) {
            bounded.completeExceptionally(failure);
          } else {
            bounded.complete(value);
          }
        });
    // A caller that gives up on the bounded answer gives up on the request too.
    bounded.whenComplete(
        (value, failure) -> {
          if (bounded.isCancelled()) {
            answer.cancel(true);
          }
        });
    return bounded;
  }

  /** A watch over plain HTTP: an answer that is meant to go on. */
  static boolean isWatch(HttpRequest request) {
    String query = request.uri().getRawQuery();
    if (query == null) {
      return false;
    }
    for (String pair : query.split("&")) {
      if (pair.equals("watch=true") || pair.equals("watch=1") || pair.equals("follow=true")) {
        return true;
      }
    }
    return false;
  }

  /** A client whose requests are bounded. */
  final class Client implements HttpClient {
    private final HttpClient client;

    Client(HttpClient client) {
      this.client = client;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, Class<T> type) {
      CompletableFuture<HttpResponse<T>> answer = client.sendAsync(request, type);
      return isWatch(request) ? answer : bounded(request, answer);
    }

    @Override
    public CompletableFuture<HttpResponse<AsyncBody>> consumeBytes(
        HttpRequest request, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
      return client.consumeBytes(request, consumer);
    }

    @Override
    public DerivedClientBuilder newBuilder() {
      return new Derived(client.newBuilder());
    }

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
      return client.newWebSocketBuilder();
    }

    @Override
    public HttpRequest.Builder newHttpRequestBuilder() {
      return client.newHttpRequestBuilder();
    }

    @Override
    public boolean isClosed() {
      return client.isClosed();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** A derived client's builder (fabric8 derives clients with other settings): bounded too. */
  private final class Derived implements HttpClient.DerivedClientBuilder {
    private final HttpClient.DerivedClientBuilder builder;

    Derived(HttpClient.DerivedClientBuilder builder) {
      this.builder = builder;
    }

    @Override
    public HttpClient build() {
      return new Client(builder.build());
    }

    @Override
    public HttpClient.DerivedClientBuilder addOrReplaceInterceptor(
        String name, Interceptor interceptor) {
      builder.addOrReplaceInterceptor(name, interceptor);
      return this;
    }

    @Override
    public HttpClient.DerivedClientBuilder authenticatorNone() {
      builder.authenticatorNone();
      return this;
    }

    @Override
    public HttpClient.DerivedClientBuilder tag(Object value) {
      builder.tag(value);
      return this;
    }
  }

  /** The factory's builder: every setting goes to the wrapped factory's builder. */
  private final class Builder implements HttpClient.Builder {
    private final HttpClient.Builder builder;

    Builder(HttpClient.Builder builder) {
      this.builder = builder;
    }

    @Override
    public HttpClient build() {
      return new Client(builder.build());
    }

    @Override
    public HttpClient.Builder connectTimeout(long connectTimeout, TimeUnit unit) {
      builder.connectTimeout(connectTimeout, unit);
      return this;
    }

    @Override
    public HttpClient.Builder addOrReplaceInterceptor(String name, Interceptor interceptor) {
      builder.addOrReplaceInterceptor(name, interceptor);
      return this;
    }

    @Override
    public HttpClient.Builder authenticatorNone() {
      builder.authenticatorNone();
      return this;
    }

    @Override
    public HttpClient.DerivedClientBuilder tag(Object value) {
      builder.tag(value);
      return this;
    }

    @Override
    public HttpClient.Builder sslContext(KeyManager[] keyManagers, TrustManager[] trustManagers) {
      builder.sslContext(keyManagers, trustManagers);
      return this;
    }

    @Override
    public HttpClient.Builder followAllRedirects() {
      builder.followAllRedirects();
      return this;
    }

    @Override
    public HttpClient.Builder proxyAddress(InetSocketAddress proxyAddress) {
      builder.proxyAddress(proxyAddress);
      return this;
    }

    @Override
    public HttpClient.Builder proxyAuthorization(String credentials) {
      builder.proxyAuthorization(credentials);
      return this;
    }

    @Override
    public HttpClient.Builder tlsVersions(TlsVersion... tlsVersions) {
      builder.tlsVersions(tlsVersions);
      return this;
    }

    @Override
    public HttpClient.Builder preferHttp11() {
      builder.preferHttp11();
      return this;
    }

    @Override
    public HttpClient.Builder proxyType(HttpClient.ProxyType type) {
      builder.proxyType(type);
      return this;
    }
  }
}
