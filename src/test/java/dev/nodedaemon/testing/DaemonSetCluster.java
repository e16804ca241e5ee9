package dev.nodedaemon.testing;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.observe.DaemonPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second control plane, with the built-in DaemonSet controller on and an operator of its own, for
 * the migration tests of one JVM to share (the shared cluster runs no DaemonSet controller, so the
 * operator's pods are the only daemon pods there). Torn down when the JVM exits.
 */
public final class DaemonSetCluster {

  private static LocalCluster cluster;
  private static FaultProxy proxy;

  private DaemonSetCluster() {}

  public static synchronized LocalCluster get() {
    if (cluster == null) {
      LocalCluster started =
          LocalCluster.up(
              "ds-" + ProcessHandle.current().pid(), 0, List.of("--daemonset-controller"));
      // The operator reaches the API server through a proxy without faults, so that a test can
      // make its requests fail while the built-in DaemonSet controller's still succeed; its
      // client retries a failed request once instead of ten times over 100 s, so that a fault of
      // a few seconds reaches the operator's own code.
      FaultProxy startedProxy = FaultProxy.start(started, "ds");
      OperatorProcess operator =
          OperatorProcess.start(
              startedProxy.kubeconfig(),
              "ds",
              Map.of("quarkus.kubernetes-client.request-retry-backoff-limit", "1"),
              Map.of());
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    operator.close();
                    startedProxy.close();
                    started.close();
                  }));
      cluster = started;
      proxy = startedProxy;
    }
    return cluster;
  }

  /** The proxy between this cluster's operator and its API server. */
  public static synchronized FaultProxy proxy() {
    get();
    return proxy;
  }

  /**
   * Creates a DaemonSet named as the NodeDaemon that runs what it would (selector and template), as
   * a team's agent runs before it moves, and waits until each of its {@code nodes} runs a ready
   * pod; returns them.
   */
  public static List<Pod> runAsDaemonSet(
      TestFleet fleet, NodeDaemon nodeDaemon, int nodes, Integer minReadySeconds) {
    fleet
        .client()
        .apps()
        .daemonSets()
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName(nodeDaemon.getMetadata().getName())
                .withNamespace(fleet.namespace())
                .endMetadata()
                .withNewSpec()
                .withSelector(nodeDaemon.getSpec().getSelector().toLabelSelector())
                .withTemplate(nodeDaemon.getSpec().getTemplate())
                .withMinReadySeconds(minReadySeconds)
                .endSpec()
                .build())
        .create();
    try {
      return fleet
          .client()
          .pods()
          .inNamespace(fleet.namespace())
          .withLabelSelector(nodeDaemon.getSpec().getSelector().toLabelSelector())
          .informOnCondition(ps -> ps.stream().filter(DaemonPods::isReady).count() == nodes)
          .get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the DaemonSet's pods did not become ready", e);
    }
  }
}
