package dev.nodedaemon.health;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator's one Kubernetes client (replacing Quarkus' default bean, built the same way), with
 * {@link InformerTraffic} in its HTTP layer, gzip-compressed responses and ChaCha20 first in TLS
 * ({@link OperatorHttpClients}), a deadline on every request ({@link BoundedHttpClients}), and the
 * {@link InformerHealth} it feeds.
 */
@Singleton
public class KubernetesClientSetup {

  /** The HTTP client factory of the one client, with the Vert.x instance it closes after it. */
  private OperatorHttpClients httpClients;

  /** That factory with a deadline on every request, and the timer it closes after it. */
  private BoundedHttpClients boundedClients;

  @Produces
  @Singleton
  InformerHealth informerHealth(
      @ConfigProperty(name = "nodedaemon.informer-health.failing-after", defaultValue = "30s")
          Duration failingAfter,
      @ConfigProperty(name = "nodedaemon.informer-health.liveness-after", defaultValue = "5m")
          Duration livenessAfter) {
    return new InformerHealth(Clock.systemUTC(), failingAfter, livenessAfter);
  }

  @Produces
  @Singleton
  KubernetesClient kubernetesClient(
      Config config,
      KubernetesSerialization serialization,
      InformerHealth health,
      @ConfigProperty(name = "nodedaemon.api-request-deadline") Duration requestDeadline) {
    httpClients = OperatorHttpClients.create();
    boundedClients = new BoundedHttpClients(httpClients, requestDeadline);
    return new KubernetesClientBuilder()
        .withHttpClientFactory(boundedClients)
        .withKubernetesSerialization(serialization)
        .withConfig(config)
        .withHttpClientBuilderConsumer(
            builder ->
                builder.addOrReplaceInterceptor("informer-health", new InformerTraffic(health)))
        .build();
  }

  void close(@Disposes KubernetesClient client) {
    client.close();
    if (boundedClients != null) {
      boundedClients.close();
    }
    if (httpClients != null) {
      httpClients.close();
    }
  }
}
