package dev.nodedaemon.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.health.InformerTraffic.Request;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InformerTrafficTest {

  private final HttpClient http =
      ((HttpClient.Builder) new JdkHttpClientFactory().newBuilder()).build();

  @AfterEach
  void close() {
    http.close();
  }

  @Test
  void anInformerIsItsResourcePathAndSelectors() {
    assertThat(
            of(
                "https://k:6443/api/v1/pods?allowWatchBookmarks=true&labelSelector=nodedaemon.dev%2Fdaemon"
                    + "&resourceVersion=12&timeoutSeconds=600&watch=true"))
        .contains(new Request("pods{labelSelector=nodedaemon.dev/daemon}", true));
    assertThat(
            of(
                "https://k:6443/api/v1/pods?labelSelector=nodedaemon.dev%2Fdaemon&resourceVersion=0"))
        .contains(new Request("pods{labelSelector=nodedaemon.dev/daemon}", false));
    assertThat(of("https://k:6443/apis/nodedaemon.dev/v1alpha1/nodedaemons?watch=1"))
        .contains(new Request("nodedaemons", true));
    assertThat(
            of(
                "https://k:6443/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
                    + "?fieldSelector=metadata.name%3Dnodedaemons.nodedaemon.dev&watch=true"))
        .contains(
            new Request(
                "customresourcedefinitions{fieldSelector=metadata.name=nodedaemons.nodedaemon.dev}",
                true));
    assertThat(of("https://k:6443/version")).isEmpty();
  }

  @Test
  void writesAreNoInformersRequests() {
    assertThat(
            Request.of(
                http.newHttpRequestBuilder()
                    .uri("https://k:6443/api/v1/namespaces/a/pods")
                    .post("application/json", "{}")
                    .build()))
        .isEmpty();
  }

  private Optional<Request> of(String uri) {
    return Request.of(http.newHttpRequestBuilder().uri(uri).build());
  }
}
