package dev.nodedaemon.config;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leader election for running several operator replicas (the Helm chart runs two): all of them
 * start, keep their caches warm and serve health and metrics, but only the holder of the Lease
 * reconciles. quarkus-operator-sdk picks the configuration up in the profiles listed in {@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles} ({@code prod}, which the packaged jar
 * runs in); with {@code nodedaemon.leader-election.enabled=false} (the default, for a single local
 * process) there is none and the instance reconciles as soon as it starts.
 *
 * <p>Losing the Lease (it could not be renewed within the renew deadline: cut off from the API
 * server, or stalled) halts the process with status {@value #EXIT_LEADERSHIP_LOST} at once, as
 * controller-runtime's managers do: another replica may already be writing, so in-flight reconciles
 * must not finish and no shutdown step may write. Kubernetes restarts the container, which then
 * queues for the Lease again. The SDK's own exit (System.exit from the elector) is off: it also
 * fires when a normal shutdown stops the elector, and System.exit inside a shutdown hook hangs the
 * JVM.
 */
@Singleton
public class LeaderElection {

  static final int EXIT_LEADERSHIP_LOST = 1;

  private static final Logger LOG = Logger.getLogger(LeaderElection.class);

  private volatile boolean stopping;

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
            .withLeaderCallbacks(new LeaderCallbacks(() -> {}, this::stoppedLeading, leader -> {}))
            .withExitOnStopLeading(false);
    // A leader frozen longer than this may have lost the Lease to a standby: see lease/PauseFence.
    Duration fence = leaseDuration.minus(retryPeriod).minusSeconds(1);
    dev.nodedaemon.lease.PauseFence.arm(
        fence.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : fence);
    leaseNamespace.ifPresent(builder::withLeaseNamespace);
    identity.ifPresent(builder::withIdentity);
    return builder.build();
  }

  /** The operator is shutting down: giving up the leadership from now on is not a loss. */
  void stopping() {
    stopping = true;
  }

  private void stoppedLeading() {
    if (stopping) {
      // The Lease is left to expire rather than released: reconciles in flight still finish
      // (quarkus.operator-sdk.termination-timeout-seconds), and no standby may write meanwhile.
      LOG.info("stopped leading on shutdown; a standby takes over once the Lease expires");
      return;
    }
    LOG.errorf(
        "lost the Lease (not renewed within the renew deadline): halting with status %d so that"
            + " only the new leader writes",
        EXIT_LEADERSHIP_LOST);
    Runtime.getRuntime().halt(EXIT_LEADERSHIP_LOST);
  }
}
