package dev.nodedaemon.status;

import dev.nodedaemon.api.DomainStatus;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.placement.NodeEligibility.Verdict;
import dev.nodedaemon.plan.Conditions;
import dev.nodedaemon.plan.OrderFacts;
import dev.nodedaemon.plan.PlanInput;
import dev.nodedaemon.plan.PodPlan;
import dev.nodedaemon.plan.RolloutAssessor;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place NodeDaemon status is computed. Counters follow the built-in controller's
 * updateDaemonSetStatus: a node counts once, by its oldest live daemon pod.
 */
public final class StatusBuilder {

  private StatusBuilder() {}

  /**
   * @param problems messages about writes that failed in this step (for the ReconcileError
   *     condition); empty when every write went through
   * @param collisionCount the revision store's collision count
   * @param rollout the rollout state machine's verdict for this step
   * @param lastRollback the last rollback the operator performed
   */
  public static NodeDaemonStatus build(
      PlanInput input,
      PodPlan plan,
      RolloutAssessor.Assessment rollout,
      Optional<RollbackRecord> lastRollback,
      List<String> problems,
      int collisionCount) {
    NodeDaemon nodeDaemon = input.nodeDaemon();
    int desired = 0;
    int current = 0;
    int misscheduled = 0;
    int ready = 0;
    int available = 0;
    int updated = 0;
    for (Map.Entry<String, Verdict> entry : plan.verdicts().entrySet()) {
      Optional<Pod> pod = oldestLive(input.snapshot().podsOn(entry.getKey()));
      if (entry.getValue().shouldRun()) {
        desired++;
        if (pod.isEmpty()) {
          continue;
        }
        current++;
        if (DaemonPods.isReady(pod.get())) {
          ready++;
          if (input.isAvailable(pod.get())) {
            available++;
          }
        }
        if (input.updateRevision().equals(DaemonPods.revision(pod.get()))) {
          updated++;
        }
      } else if (pod.isPresent()) {
        misscheduled++;
      }
    }

    NodeDaemonStatus previous = nodeDaemon.getStatus();
    NodeDaemonStatus status = new NodeDaemonStatus();
    long generation = nodeDaemon.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    status.setDesiredNumberScheduled(desired);
    status.setCurrentNumberScheduled(current);
    status.setNumberMisscheduled(misscheduled);
    status.setNumberReady(ready);
    status.setNumberAvailable(available);
    status.setNumberUnavailable(desired - available);
    status.setUpdatedNumberScheduled(updated);
    status.setUpdateRevision(input.updateRevision());
    status.setCurrentRevision(
        previous != null && previous.getCurrentRevision() != null && updated < desired
            ? previous.getCurrentRevision()
            : input.updateRevision());
    status.setCollisionCount(collisionCount == 0 ? null : collisionCount);
    status.setUpdatedNumberAvailable(plan.rollout().updatedAvailable());
    status.setPhase(rollout.phase());
    status.setRollout(rollout.progress());
    status.setBlockingNodes(rollout.blockingNodes());
    status.setLastRollback(lastRollback.orElse(null));
    List<OrderFacts.DomainCount> domains = plan.rollout().order().domains();
    status.setDomains(
        domains.isEmpty()
            ? null
            : domains.stream()
                .map(
                    d ->
                        new DomainStatus(
                            d.name(), d.nodes(), d.updated(), d.unavailable(), d.maxUnavailable()))
                .toList());

    List<Condition> fresh = new ArrayList<>();
    fresh.add(
        Conditions.of(
            "Available",
            available == desired,
            available == desired ? "AllNodesAvailable" : "NodesUnavailable",
            available + " of " + desired + " nodes have an available daemon pod"));
    fresh.addAll(rollout.conditions());
    fresh.add(
        problems.isEmpty()
            ? Conditions.of("ReconcileError", false, "NoError", "the last step's writes succeeded")
            : Conditions.of("ReconcileError", true, "WriteFailed", String.join("; ", problems)));
    status.setConditions(
        Conditions.merge(
            previous == null ? null : previous.getConditions(), fresh, generation, input.now()));
    return status;
  }

  /**
   * The node's oldest live pod. A loop, not a stream with a comparator: called for every node on
   * every reconcile, and nearly always over one pod, whose creation time need not be parsed.
   */
  private static Optional<Pod> oldestLive(List<Pod> pods) {
    Pod oldest = null;
    for (Pod pod : pods) {
      if (DaemonPods.isTerminating(pod)
          || DaemonPods.isFailed(pod)
          || DaemonPods.isSucceeded(pod)) {
        continue;
      }
      if (oldest == null || BY_AGE.compare(pod, oldest) < 0) {
        oldest = pod;
      }
    }
    return Optional.ofNullable(oldest);
  }

  private static final Comparator<Pod> BY_AGE =
      Comparator.comparing(DaemonPods::createdAt).thenComparing(p -> p.getMetadata().getName());
}
