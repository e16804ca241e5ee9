package dev.nodedaemon.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Makes the one {@link RolloutMetrics} of the operator, on Quarkus' registry (/q/metrics). */
@Singleton
public class MetricsSetup {

  @Produces
  @Singleton
  RolloutMetrics rolloutMetrics(
      MeterRegistry registry,
      @ConfigProperty(name = "nodedaemon.metrics.per-node.enabled", defaultValue = "true")
          boolean perNode) {
    return new RolloutMetrics(registry, perNode, Clock.systemUTC());
  }
}
