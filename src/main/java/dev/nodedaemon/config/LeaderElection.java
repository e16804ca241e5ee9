package dev.nodedaemon.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leader election for running several operator replicas (the Helm chart runs two): all of them
 * start, keep their caches warm and serve health and metrics, but only the holder of the Lease
 * reconciles. quarkus-operator-sdk picks this bean up in the profiles listed in {@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles} ({@code prod}, which the packaged jar
 * runs in); without it, or with {@code nodedaemon.leader-election.enabled=false} (the default for a
 * single local process), every instance reconciles.
 *
 * <p>A replica that loses its Lease (it could not renew within the renew deadline, e.g. cut off
 * from the API server) exits with status 1 instead of carrying on: its caches and in-flight
 * reconciles may be stale, and another replica may already be writing. Kubernetes restarts the
 * container, which then queues for the Lease again, as controller-runtime's managers do.
 */
@Dependent
public class LeaderElection {

  private static final Logger LOG = Logger.getLogger(LeaderElection.class);

  @Produces
  @Dependent
  LeaderElectionConfiguration configuration(
      @ConfigProperty(name = "nodedaemon.leader-election.enabled") boolean enabled,
      @ConfigProperty(name = "nodedaemon.leader-election.lease-name") String leaseName,
      @ConfigProperty(name = "nodedaemon.leader-election.lease-namespace")
          Optional<String> leaseNamespace,
      @ConfigProperty(name = "nodedaemon.leader-election.identity") Optional<String> identity,
      @ConfigProperty(name = "nodedaemon.leader-election.lease-duration") Duration leaseDuration,
      @ConfigProperty(name = "nodedaemon.leader-election.renew-deadline") Duration renewDeadline,
      @ConfigProperty(name = "nodedaemon.leader-election.retry-period") Duration retryPeriod) {
    if (!enabled) {
      return null; // no leader election: this instance reconciles as soon as it starts
    }
    LOG.infof(
        "leader election on: Lease %s/%s as %s (lease %s, renew deadline %s, retry %s)",
        leaseNamespace.orElse("<client namespace>"),
        leaseName,
        identity.orElse("<host name>"),
        leaseDuration,
        renewDeadline,
        retryPeriod);
    LeaderElectionConfigurationBuilder builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
            .withLeaseDuration(leaseDuration)
            .withRenewDeadline(renewDeadline)
            .withRetryPeriod(retryPeriod)
            .withExitOnStopLeading(true);
    leaseNamespace.ifPresent(builder::withLeaseNamespace);
    identity.ifPresent(builder::withIdentity);
    return builder.build();
  }
}
