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

  private DaemonSetCluster() {}

  public static synchronized LocalCluster get() {
    if (cluster == null) {
      LocalCluster started =
          LocalCluster.up(
              "ds-" + ProcessHandle.current().pid(), 0, List.of("--daemonset-controller"));
      OperatorProcess operator = OperatorProcess.start(started, "ds", Map.of());
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    operator.close();
                    started.close();
                  }));
      cluster = started;
    }
    return cluster;
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
