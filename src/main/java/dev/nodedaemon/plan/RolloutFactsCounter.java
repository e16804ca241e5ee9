package dev.nodedaemon.plan;

import dev.nodedaemon.api.BlockingNode;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.observe.PodHealth;
import dev.nodedaemon.plan.PodPlan.Hold;
import dev.nodedaemon.plan.PodPlan.RolloutFacts;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;

/** What {@link PodPlanner} saw of the rollout, for the state machine and the status. Pure. */
final class RolloutFactsCounter {

  private RolloutFactsCounter() {}

  /**
   * Counts the nodes on the update revision and names the nodes that hold the rollout back: those
   * with no available pod, and those whose updated pod is not available yet (with surge the old one
   * still serves, but the node's update is stuck).
   */
  static RolloutFacts count(
      PlanInput input,
      List<RollingUpdatePlanner.NodePods> eligible,
      boolean rolling,
      RollingUpdatePlanner.Budget budget,
      int desired,
      Hold hold,
      int rolloutTarget,
      int skipped) {
    int updated = 0;
    int updatedAvailable = 0;
    int oldOutsideSelector = 0;
    List<BlockingNode> blocking = new ArrayList<>();
    for (RollingUpdatePlanner.NodePods n : eligible) {
      Pod updatedPod = n.updated();
      boolean updatedUp = updatedPod != null && input.isAvailable(updatedPod);
      if (updatedPod != null) {
        updated++;
        updatedAvailable += updatedUp ? 1 : 0;
      } else if (n.old() != null && !budget.updatable().test(n.node())) {
        oldOutsideSelector++;
      }
      boolean oldUp = n.old() != null && input.isAvailable(n.old());
      if (updatedUp || (updatedPod == null && oldUp)) {
        continue;
      }
      Pod stuck = updatedPod != null ? updatedPod : n.old();
      if (stuck == null) {
        boolean creating = input.creationsInFlight().contains(n.node());
        blocking.add(
            new BlockingNode(
                n.node(),
                "PodMissing",
                creating ? "pod created, not observed yet" : "no daemon pod on the node"));
      } else if (DaemonPods.isReady(stuck)) {
        blocking.add(
            new BlockingNode(n.node(), "MinReadySeconds", "ready, not yet for minReadySeconds"));
      } else {
        PodHealth.Problem problem = PodHealth.problemOf(stuck);
        blocking.add(new BlockingNode(n.node(), problem.reason(), problem.message()));
      }
    }
    int target =
        rolling
            ? Math.max(0, desired - skipped - Math.max(budget.partition(), oldOutsideSelector))
            : desired;
    return new RolloutFacts(
        desired,
        Math.min(target, rolloutTarget),
        updated,
        updatedAvailable,
        blocking,
        hold,
        rolloutTarget,
        skipped);
  }
}
