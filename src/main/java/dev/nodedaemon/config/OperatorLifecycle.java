package dev.nodedaemon.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts the controllers only once the CRD they watch is served, and stops them on shutdown.
 * Installing the CRD is on by default for a local run; the Helm chart installs it itself and turns
 * this off, so the operator's role needs no write access to CRDs there.
 */
@ApplicationScoped
public class OperatorLifecycle {

  private static final Logger LOG = Logger.getLogger(OperatorLifecycle.class);

  private final Operator operator;
  private final KubernetesClient client;
  private final boolean installCrd;
  private final LeaderElection leaderElection;

  public OperatorLifecycle(
      Operator operator,
      KubernetesClient client,
      @ConfigProperty(name = "nodedaemon.crd.install", defaultValue = "true") boolean installCrd,
      LeaderElection leaderElection) {
    this.operator = operator;
    this.client = client;
    this.installCrd = installCrd;
    this.leaderElection = leaderElection;
  }

  void onStart(@Observes StartupEvent event) {
    if (installCrd) {
      new CrdInstaller(client).installAndWait(Duration.ofSeconds(60));
    }
    operator.start();
    LOG.infof("NodeDaemon operator started against %s", client.getMasterUrl());
  }

  void onStop(@Observes ShutdownEvent event) {
    leaderElection.stopping();
    // Reconciles in flight get quarkus.operator-sdk.termination-timeout-seconds to finish before
    // the SDK closes the client they use. The SDK's own shutdown hook may be stopping it already,
    // in which case a second stop finds its executor terminated: that is not a failure.
    try {
      operator.stop();
    } catch (RuntimeException e) {
      LOG.debugf("operator was already stopping: %s", e);
    }
    LOG.info("NodeDaemon operator stopped");
  }
}
