package dev.nodedaemon.health;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Tells {@link InformerHealth} what the operator's list and watch requests did, from inside the
 * Kubernetes client's HTTP layer, the only place that sees a watch refused while fabric8 retries it
 * in its watch manager (the informer above it never hears of those failures).
 *
 * <p>An informer is named by its requests: the resource path and the selectors ({@code
 * pods{labelSelector=nodedaemon.dev/daemon}}). A watch request makes it known; lists of unknown
 * paths (one-off reads) are ignored. A list answered 2xx or a watch opened (101 for a WebSocket) is
 * heard from; any other answer but 410 Gone (a normal step before a fresh list), or no connection,
 * is a failure.
 */
final class InformerTraffic implements Interceptor {

  private final InformerHealth health;

  InformerTraffic(InformerHealth health) {
    this.health = health;
  }

  /** A GET that lists or watches: its informer's name and whether it watches. */
  record Request(String informer, boolean watch) {

    static Optional<Request> of(HttpRequest request) {
      if (!"GET".equalsIgnoreCase(request.method())) {
        return Optional.empty();
      }
      URI uri = request.uri();
      String path = uri.getPath();
      String resource = path.replaceFirst("^/api/v1/", "").replaceFirst("^/apis/[^/]+/[^/]+/", "");
      if (resource.equals(path)) {
        return Optional.empty(); // not a resource path (discovery, /version, ...)
      }
      boolean watch = false;
      TreeMap<String, String> selectors = new TreeMap<>();
      String query = uri.getRawQuery();
      if (query != null) {
        for (String pair : query.split("&")) {
          int eq = pair.indexOf('=');
          String key = eq < 0 ? pair : pair.substring(0, eq);
          String value =
              eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          if (key.equals("watch")) {
            watch = value.equals("true") || value.equals("1");
          } else if (key.equals("labelSelector") || key.equals("fieldSelector")) {
            selectors.put(key, value);
          }
        }
      }
      String name = selectors.isEmpty() ? resource : resource + selectors;
      return Optional.of(new Request(name, watch));
    }
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    Request.of(request)
        .ifPresent(
            r -> {
              if (r.watch()) {
                health.watchRequested(r.informer());
              } else {
                health.requested(r.informer());
              }
            });
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    Optional<Request> listOrWatch = Request.of(request);
    if (listOrWatch.isEmpty()) {
      return;
    }
    String informer = listOrWatch.get().informer();
    int code = response.code();
    // 101: a WebSocket watch opened (fabric8's default; see InformerHealth for why not HTTP).
    if (response.isSuccessful() || code == 101) {
      health.heard(informer);
    } else if (code != 410) {
      // 410 Gone: the watch's resource version expired, a normal step before a fresh list.
      health.failed(informer, "HTTP " + code);
    }
  }

  @Override
  public void afterConnectionFailure(HttpRequest request, Throwable failure) {
    Request.of(request).ifPresent(r -> health.failed(r.informer(), failure.toString()));
  }
}
