package dev.nodedaemon.plan;

import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.NotReadyNodePolicy;
import dev.nodedaemon.api.PodLabels;
import dev.nodedaemon.api.PodUpdatePolicy;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.api.UpdateStrategyType;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.placement.DaemonTolerations;
import dev.nodedaemon.placement.NodeEligibility;
import dev.nodedaemon.placement.NodeEligibility.Verdict;
import dev.nodedaemon.plan.PlanInput.NodeBackoff;
import dev.nodedaemon.plan.PodPlan.Deletion;
import dev.nodedaemon.plan.PodPlan.Hold;
import dev.nodedaemon.plan.PodPlan.InPlacePatch;
import dev.nodedaemon.plan.PodPlan.PlannedEvent;
import dev.nodedaemon.plan.PodPlan.RolloutFacts;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, for every node, which pods of one NodeDaemon to create and delete: a pure function of
 * {@link PlanInput}, in the manner of the built-in controller's {@code podsShouldBeOnNode}.
 *
 * <p>Invariants of every plan:
 *
 * <ol>
 *   <li>A node gets a create only if it should run the pod, has no live (non-terminating,
 *       non-finished) daemon pod, and no create for it is in flight: never two pods of one
 *       NodeDaemon for one node. The one exception is the replacement of an old pod a rolling
 *       update without surge deletes ({@link PodPlan.Deletion#replaceOn()}): it is created in the
 *       same step, but only after that delete succeeded, when the old pod is terminating, which
 *       counts as no live pod here as it does in the built-in controller.
 *   <li>A pod is deleted only when it cannot work (Failed or Succeeded), when its node no longer
 *       qualifies (gone, deselected, or an untolerated NoExecute taint), or when it is a surplus
 *       second pod on its node. A running pod on a qualifying node is never deleted here.
 *   <li>A failed pod is replaced at most once per backoff period per node (1 s doubling to 5 min),
 *       so a broken node does not hot-loop; while in backoff the failed pod stays, visible.
 *   <li>Terminating pods are left to finish; they are neither counted as running nor deleted again.
 *       A node waits for one that holds its new pod's name instead of creating into a refusal.
 *   <li>A node keeps at most one pod of the update revision and one older pod, and both only while
 *       a surge is in progress; which old pods go, and when, is decided by {@link
 *       RollingUpdatePlanner} within the update budget. OnDelete never deletes an old pod, and
 *       neither does a paused NodeDaemon (it still creates pods on nodes without one), nor a surge
 *       whose template claims host ports ({@link HostPorts}: the surge pod could never be
 *       scheduled), which is held and reported instead.
 *   <li>With podUpdatePolicy InPlaceIfPossible, an old pod the rolling step would delete is patched
 *       instead when its revision's template differs from the update template only in container
 *       images ({@link InPlaceUpdate}); it then counts as updated and unavailable until it runs the
 *       new images and is available again. Never with surge, which needs a second pod.
 *   <li>Bad input never deletes a working pod. While the API server refuses the update revision's
 *       pods (a server-side dry run), the plan makes no write at all except removing pods whose
 *       node is gone: no create would succeed, so no pod may be deleted or patched for one.
 *   <li>While the update revision is held as bad (its health gates failed, now or before) no old
 *       pod is replaced, and nodes that need a pod get the revision the fleet ran before it.
 *   <li>A frozen NodeDaemon gets no write at all, creates included.
 *   <li>With steps, the rollout may update only the current step's nodes; the rest are held back as
 *       a partition holds them. A rollback ignores steps, partition and the update node selector:
 *       every node that left the revision it restores goes back, within the budget.
 *   <li>Under notReadyNodes Skip (the default), a NotReady node whose pod is not of the update
 *       revision is left out of a forward rollout: it neither uses the budget, nor holds the
 *       rollout back, nor is touched; it is updated once Ready again.
 * </ol>
 */
public final class PodPlanner {

  private PodPlanner() {}

  /**
   * What the rest of the rollout engine decided before the pods are planned.
   *
   * @param step the current step of a staged rollout, from 1; 0 without steps
   * @param rollingBack the update revision is one a rollback restored
   * @param retrying spec.retry: the update revision's bad mark and earlier gate failures are
   *     dropped
   */
  public record Limits(int step, boolean rollingBack, boolean retrying) {
    public static final Limits NONE = new Limits(0, false, false);
  }

  public static PodPlan plan(PlanInput input) {
    return plan(input, Limits.NONE);
  }

  public static PodPlan plan(PlanInput input, Limits limits) {
    PodSpec template = input.nodeDaemon().getSpec().getTemplate().getSpec();
    List<Toleration> tolerations = DaemonTolerations.withDefaults(template);
    Map<String, Verdict> verdicts = new HashMap<>();
    int desired = 0;
    for (Node node : input.snapshot().nodes().values()) {
      Verdict verdict = NodeEligibility.decide(node, template, tolerations);
      verdicts.put(node.getMetadata().getName(), verdict);
      desired += verdict.shouldRun() ? 1 : 0;
    }
    List<String> creates = new ArrayList<>();
    Set<String> surgeCreates = Set.of();
    List<Deletion> deletes = new ArrayList<>();
    List<InPlacePatch> inPlace = new ArrayList<>();
    List<PlannedEvent> events = new ArrayList<>();
    List<String> bumps = new ArrayList<>();
    Duration requeue = null;
    UpdateStrategy strategy = input.nodeDaemon().getSpec().getUpdateStrategy();
    boolean rolling =
        strategy == null || strategy.effectiveType() == UpdateStrategyType.RollingUpdate;
    RollingUpdatePlanner.Budget budget =
        RollingUpdatePlanner.budget(
            strategy, desired, node -> limits.rollingBack() || matchesUpdateSelector(input, node));
    if (limits.rollingBack()) {
      budget = budget.withPartition(0);
    } else if (limits.step() > 0) {
      int stepNodes =
          RolloutSteps.exposedNodes(RolloutSteps.steps(input.nodeDaemon()), limits.step(), desired);
      budget = budget.withPartition(Math.max(budget.partition(), desired - stepNodes));
    }
    boolean paused = Boolean.TRUE.equals(input.nodeDaemon().getSpec().getPaused());
    boolean frozen = Boolean.TRUE.equals(input.nodeDaemon().getSpec().getFrozen());
    boolean skipNotReady =
        !limits.rollingBack() && notReadyPolicy(strategy) == NotReadyNodePolicy.Skip;
    boolean surge = rolling && budget.maxSurge() > 0;
    // A surge pod could never be scheduled beside an old pod that holds the node's host ports:
    // existing pods are not updated (nodes without a pod still get one) and the status says why.
    Optional<Hold> hold =
        input
            .templateRefusal()
            .map(why -> new Hold(EventReason.PodTemplateRejected.name(), why))
            .or(
                () ->
                    (surge ? HostPorts.surgeConflict(template) : Optional.<String>empty())
                        .map(why -> new Hold(RolloutAssessor.INVALID_SPEC, why)));
    boolean refused = input.templateRefusal().isPresent();
    Optional<String> markedBad =
        limits.retrying() ? Optional.empty() : input.revisions().badReason(input.updateRevision());
    List<RollingUpdatePlanner.NodePods> eligible = new ArrayList<>();
    Map<String, Pod> updatedPods = new LinkedHashMap<>();
    int skipped = 0;

    for (Node node : input.snapshot().nodes().values()) {
      String nodeName = node.getMetadata().getName();
      Verdict verdict = verdicts.get(nodeName);

      List<Pod> live = new ArrayList<>();
      for (Pod pod : input.snapshot().podsOn(nodeName)) {
        if (DaemonPods.isTerminating(pod)) {
          continue;
        }
        if (!verdict.shouldContinueRunning()) {
          if (!refused) {
            deletes.add(new Deletion(pod, "node " + nodeName + " no longer qualifies"));
          }
          continue;
        }
        if ((DaemonPods.isFailed(pod) || DaemonPods.isSucceeded(pod)) && refused) {
          live.add(pod); // no replacement could be created: it stays, visible
          continue;
        }
        if (DaemonPods.isFailed(pod) || DaemonPods.isSucceeded(pod)) {
          NodeBackoff backoff = input.backoff().get(nodeName);
          if (backoff != null && input.now().isBefore(backoff.until())) {
            requeue = min(requeue, Duration.between(input.now(), backoff.until()));
            live.add(pod); // still occupies the node until the backoff ends
            continue;
          }
          boolean failed = DaemonPods.isFailed(pod);
          events.add(
              new PlannedEvent(
                  failed,
                  failed ? "FailedDaemonPod" : "SucceededDaemonPod",
                  "Found "
                      + (failed ? "failed" : "succeeded")
                      + " daemon pod "
                      + pod.getMetadata().getNamespace()
                      + "/"
                      + pod.getMetadata().getName()
                      + " on node "
                      + nodeName
                      + ", will try to "
                      + (failed ? "kill" : "replace")
                      + " it"));
          deletes.add(new Deletion(pod, "pod " + pod.getStatus().getPhase().toLowerCase()));
          bumps.add(nodeName);
          continue;
        }
        live.add(pod);
      }

      // At most one pod of the update revision and one older pod per node; the rest go. Of two
      // pods of one revision the ready one stays, then the older, as the built-in keeps the oldest:
      // a pod created beside an adopted one in the same second sorted before it by name alone.
      Pod updated = null;
      Pod old = null;
      live.sort(readyFirstThenByAge());
      for (Pod pod : live) {
        boolean isUpdated = input.updateRevision().equals(DaemonPods.revision(pod));
        if (isUpdated && updated == null) {
          updated = pod;
        } else if (!isUpdated && old == null) {
          old = pod;
        } else {
          deletes.add(new Deletion(pod, "more than one daemon pod on node " + nodeName));
        }
      }
      if (updated != null && old != null && !surge) {
        // Without surge a node never keeps both: the old one is what the update replaces.
        deletes.add(new Deletion(old, "replaced by revision " + input.updateRevision()));
        old = null;
      }

      boolean inFlight = input.creationsInFlight().contains(nodeName);
      if (updated == null
          && old == null
          && verdict.shouldRun()
          && !inFlight
          && !nameHeldByTerminatingPod(input, nodeName)) {
        // A replacement for a failed pod has the failed pod's name, so its create succeeds only
        // once that pod is gone; the deletion's watch event brings the reconcile that retries it.
        creates.add(nodeName);
      }
      if (updated != null) {
        updatedPods.put(nodeName, updated);
      }
      if (verdict.shouldRun()) {
        if (skipNotReady && updated == null && !HealthGateEvaluator.nodeReady(node)) {
          skipped++; // back in the rollout once Ready
        } else {
          eligible.add(new RollingUpdatePlanner.NodePods(nodeName, updated, old));
        }
      }
    }

    // Nodes update in rollout order (NodeOrder: priority groups, then domains, then name; name
    // alone without an order), so a step is reproducible and a rollout easy to follow.
    NodeOrder order = rolling ? nodeOrder(input, strategy, eligible) : NodeOrder.NONE;
    budget = budget.withOrder(order);
    eligible.sort(order.comparator());
    int rolloutTarget = rolloutTarget(input, eligible, rolling, budget, desired, skipped, limits);
    PrePullPlanner prePull =
        rolling
            ? PrePullPlanner.plan(input, prePullSettings(strategy), eligible, budget)
            : PrePullPlanner.plan(input, null, eligible, budget);
    if (prePullSettings(strategy) != null && rolling) {
      Set<String> brokenOld = new HashSet<>();
      for (RollingUpdatePlanner.NodePods n : eligible) {
        if (n.updated() == null && n.old() != null && !input.isAvailable(n.old())) {
          brokenOld.add(n.node()); // replaced at once, as without pre-pull
        }
      }
      PrePullPlanner pulls = prePull;
      budget = budget.withPrePulled(node -> pulls.mayReplace(node) || brokenOld.contains(node));
      // A pull that fails is a gate failure of its node, before its working pod is touched.
      pulls.failedPulls().forEach(updatedPods::putIfAbsent);
    }
    // Gates watch a rollout until it completes; a pod that fails later is not the rollout's doing.
    HealthGateEvaluator.Verdict gates =
        rolloutCompleted(input)
            ? HealthGateEvaluator.Verdict.passing(1)
            : HealthGateEvaluator.evaluate(input, updatedPods, rolloutTarget, limits.retrying());
    if (hold.isEmpty() && gates.failed()) {
      hold =
          Optional.of(
              new Hold(
                  EventReason.HealthGateFailed.name(),
                  gates.failedNodes()
                      + " of "
                      + rolloutTarget
                      + " nodes failed their health gates (threshold "
                      + gates.threshold()
                      + "): "
                      + HealthGateEvaluator.describe(gates.failures())));
    } else if (hold.isEmpty() && markedBad.isPresent()) {
      hold =
          Optional.of(
              new Hold(
                  EventReason.RevisionMarkedBad.name(),
                  "revision "
                      + input.revisions().updateNumber()
                      + " ("
                      + input.updateRevision()
                      + ") is marked bad: "
                      + markedBad.get()
                      + "; set spec.retry (kubectl nodedaemon retry) to roll it out again"));
    }
    // While the update revision is held as bad, nodes that need a pod get the one before it.
    String createRevision =
        hold.isPresent()
                && (gates.failed() || markedBad.isPresent())
                && stableRevision(input).isPresent()
            ? stableRevision(input).get()
            : null;

    if (paused || frozen || hold.isPresent()) {
      prePull = prePull.withoutCreates();
    }
    if (rolling && !paused && !frozen && hold.isEmpty()) {
      RollingUpdatePlanner.Step step =
          RollingUpdatePlanner.step(
              eligible, budget, input::isAvailable, input.creationsInFlight());
      boolean inPlaceAllowed =
          !surge && podUpdatePolicy(strategy) == PodUpdatePolicy.InPlaceIfPossible;
      for (Pod pod : step.deleteOld()) {
        Optional<Map<String, String>> images =
            inPlaceAllowed
                ? InPlaceUpdate.imageChanges(
                    input.revisions().templateOf(DaemonPods.revision(pod)).orElse(null),
                    input.nodeDaemon().getSpec().getTemplate())
                : Optional.empty();
        if (images.isPresent() && !DaemonPods.isFailed(pod)) {
          inPlace.add(new InPlacePatch(pod, images.get(), input.updateRevision()));
        } else {
          // Without surge the node's new pod is created right after this delete succeeds, in the
          // same step, rather than in the reconcile that sees the old pod terminating: one round
          // trip less per node. Its name carries the new revision, so it cannot clash.
          deletes.add(
              new Deletion(
                  pod,
                  "rolling update to revision " + input.updateRevision(),
                  false,
                  surge ? null : DaemonPods.targetNode(pod).orElse(null)));
        }
      }
      creates.addAll(step.surgeCreates());
      surgeCreates = Set.copyOf(step.surgeCreates());
    }

    for (Pod orphan : input.snapshot().podsWithoutNode()) {
      // Its node is missing from the cache, which may only be behind: the writer confirms with a
      // live read before it deletes. A pod already terminating is left to the pod garbage
      // collector, as the built-in controller leaves it.
      if (!DaemonPods.isTerminating(orphan)) {
        deletes.add(new Deletion(orphan, "its node does not exist", true));
      }
    }

    creates.sort(Comparator.naturalOrder());
    if (refused) {
      creates.clear(); // none would be admitted
    }
    RolloutFacts facts =
        RolloutFactsCounter.count(
            input, eligible, rolling, budget, desired, hold.orElse(null), rolloutTarget, skipped);
    facts = facts.withOrder(OrderFacts.of(input, eligible, budget));
    if (frozen) {
      // Frozen: every write waits, and so does every event about one.
      return new PodPlan(
          List.of(),
          Set.of(),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          verdicts,
          Optional.empty(),
          facts,
          gates,
          createRevision,
          PrePullPlanner.NONE);
    }
    return new PodPlan(
        creates,
        refused ? Set.of() : surgeCreates,
        deletes,
        inPlace,
        events,
        bumps,
        verdicts,
        Optional.ofNullable(requeue),
        facts,
        gates,
        createRevision,
        prePull);
  }

  /**
   * Nodes the whole rollout should reach: those in it (not skipped for being NotReady), less those
   * partition or the update node selector hold back, and no more than the last step exposes.
   */
  private static int rolloutTarget(
      PlanInput input,
      List<RollingUpdatePlanner.NodePods> eligible,
      boolean rolling,
      RollingUpdatePlanner.Budget budget,
      int desired,
      int skipped,
      Limits limits) {
    if (!rolling) {
      return desired;
    }
    int heldBySelector = 0;
    for (RollingUpdatePlanner.NodePods n : eligible) {
      if (n.updated() == null && n.old() != null && !budget.updatable().test(n.node())) {
        heldBySelector++;
      }
    }
    int specPartition = limits.rollingBack() ? 0 : budget.specPartition();
    int target = desired - skipped - Math.max(specPartition, heldBySelector);
    if (limits.step() > 0) {
      target =
          Math.min(
              target,
              RolloutSteps.exposedNodes(
                  RolloutSteps.steps(input.nodeDaemon()), Integer.MAX_VALUE, desired));
    }
    return Math.max(0, target);
  }

  private static dev.nodedaemon.api.PrePull prePullSettings(UpdateStrategy strategy) {
    return strategy == null || strategy.getRollingUpdate() == null
        ? null
        : strategy.getRollingUpdate().getPrePull();
  }

  /** The rollout order of the nodes in the rollout; {@link NodeOrder#NONE} without one. */
  private static NodeOrder nodeOrder(
      PlanInput input, UpdateStrategy strategy, List<RollingUpdatePlanner.NodePods> eligible) {
    if (strategy == null
        || strategy.getRollingUpdate() == null
        || strategy.getRollingUpdate().getOrder() == null) {
      return NodeOrder.NONE;
    }
    List<Node> nodes = new ArrayList<>(eligible.size());
    for (RollingUpdatePlanner.NodePods n : eligible) {
      nodes.add(input.snapshot().nodes().get(n.node()));
    }
    return NodeOrder.of(strategy.getRollingUpdate(), nodes);
  }

  /** The last status saw this revision's rollout complete: later pod troubles are not its doing. */
  private static boolean rolloutCompleted(PlanInput input) {
    NodeDaemonStatus status = input.nodeDaemon().getStatus();
    return status != null
        && status.getPhase() == RolloutPhase.Complete
        && status.getRollout() != null
        && input.updateRevision().equals(status.getRollout().getRevision());
  }

  /** The revision the fleet ran before the current rollout, if it is still kept. */
  private static Optional<String> stableRevision(PlanInput input) {
    String current =
        input.nodeDaemon().getStatus() == null
            ? null
            : input.nodeDaemon().getStatus().getCurrentRevision();
    return current == null
            || current.equals(input.updateRevision())
            || input.revisions().templateOf(current).isEmpty()
        ? Optional.empty()
        : Optional.of(current);
  }

  private static NotReadyNodePolicy notReadyPolicy(UpdateStrategy strategy) {
    return strategy == null
            || strategy.getRollingUpdate() == null
            || strategy.getRollingUpdate().getNotReadyNodes() == null
        ? NotReadyNodePolicy.Skip
        : strategy.getRollingUpdate().getNotReadyNodes();
  }

  /**
   * A terminating pod holds the name the node's new pod would get (names are per node and
   * revision): a create could only be refused as "already exists", again and again while a
   * finalizer holds it. Its deletion brings the reconcile that creates the pod.
   */
  private static boolean nameHeldByTerminatingPod(PlanInput input, String nodeName) {
    String name =
        PodLabels.podName(
            input.nodeDaemon().getMetadata().getName(), nodeName, input.updateRevision());
    return input.snapshot().podsOn(nodeName).stream()
        .anyMatch(p -> DaemonPods.isTerminating(p) && name.equals(p.getMetadata().getName()));
  }

  private static PodUpdatePolicy podUpdatePolicy(UpdateStrategy strategy) {
    return strategy == null
            || strategy.getRollingUpdate() == null
            || strategy.getRollingUpdate().getPodUpdatePolicy() == null
        ? PodUpdatePolicy.Recreate
        : strategy.getRollingUpdate().getPodUpdatePolicy();
  }

  private static Comparator<Pod> readyFirstThenByAge() {
    return Comparator.comparing((Pod p) -> !DaemonPods.isReady(p))
        .thenComparing(DaemonPods::createdAt)
        .thenComparing(p -> p.getMetadata().getName());
  }

  private static boolean matchesUpdateSelector(PlanInput input, String nodeName) {
    UpdateStrategy strategy = input.nodeDaemon().getSpec().getUpdateStrategy();
    Map<String, String> selector =
        strategy == null || strategy.getRollingUpdate() == null
            ? null
            : strategy.getRollingUpdate().getNodeSelector();
    if (selector == null || selector.isEmpty()) {
      return true;
    }
    Node node = input.snapshot().nodes().get(nodeName);
    Map<String, String> labels = node == null ? null : node.getMetadata().getLabels();
    return labels != null
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private static Duration min(Duration a, Duration b) {
    return a == null || b.compareTo(a) < 0 ? b : a;
  }
}
