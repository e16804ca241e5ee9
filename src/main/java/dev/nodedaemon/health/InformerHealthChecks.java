package dev.nodedaemon.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The informers' part of {@code /q/health/ready} and {@code /q/health/live} (see {@link
 * InformerHealth}): DOWN naming each stale informer and since when. Readiness drops as soon as one
 * informer is stale, so no Service or scrape takes a blind operator for a working one; liveness
 * only past the longer bound, so the kubelet restarts a wedged process but not one riding out an
 * outage.
 */
@ApplicationScoped
public class InformerHealthChecks {

  private static final String NAME = "informers";

  @Produces
  @Readiness
  @ApplicationScoped
  HealthCheck readiness(InformerHealth health) {
    return () -> response(health.stale());
  }

  @Produces
  @Liveness
  @ApplicationScoped
  HealthCheck liveness(InformerHealth health) {
    return () ->
        response(health.stale().stream().filter(InformerHealth.Stale::pastLiveness).toList());
  }

  private static HealthCheckResponse response(List<InformerHealth.Stale> stale) {
    HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME).status(stale.isEmpty());
    for (InformerHealth.Stale informer : stale) {
      builder.withData(informer.informer(), informer.describe());
    }
    return builder.build();
  }
}
