package dev.nodedaemon.plan;

import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.UpdateStrategy;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One step of a RollingUpdate across the nodes that should run the pod, with the built-in DaemonSet
 * controller's semantics (pkg/controller/daemon/update.go rollingUpdate). Pure.
 *
 * <p>Without surge (maxSurge = 0), invariants:
 *
 * <ol>
 *   <li>A node counts as unavailable when it has no pod, when its updated pod is not yet available,
 *       or when it holds an old and a new pod at once.
 *   <li>Available old pods are deleted only while the unavailable count stays within
 *       maxUnavailable: at most {@code maxUnavailable - unavailable} of them per step.
 *   <li>Old pods that are already unavailable are replaced without using the budget, as the
 *       built-in controller does. In strict mode they are still replaced (it cannot make things
 *       worse) but count as unavailable, so while they and the updated pods that are not yet
 *       available fill maxUnavailable no available old pod is deleted: a broken fleet is never made
 *       more broken by the update.
 *   <li>The replacement is created by the lifecycle step once the node has no pod.
 * </ol>
 *
 * <p>With surge (maxSurge > 0, maxUnavailable = 0), invariants:
 *
 * <ol>
 *   <li>A new pod is created beside an available old one only while nodes with both pods, whose new
 *       pod is not yet available, number fewer than maxSurge.
 *   <li>A node whose old pod is unavailable gets its new pod at once, outside the budget; in strict
 *       mode it counts against maxSurge like any other surging node.
 *   <li>The old pod is deleted only after the new pod on its node is available: no node is ever
 *       without an available pod because of the update.
 * </ol>
 *
 * Percentages are of the nodes that should run the pod, rounded up. When both resolve to 0,
 * maxUnavailable is 1, so a rollout can always progress. Nodes held back by partition or the update
 * node selector are left out of the step entirely, so they neither use nor count against the
 * budget.
 */
public final class RollingUpdatePlanner {

  private RollingUpdatePlanner() {}

  /** The pods of one eligible node after clean-up: at most one new and one old. */
  public record NodePods(String node, Pod updated, Pod old) {}

  /** What the step decides: old pods to delete and nodes to get a new pod beside the old. */
  public record Step(List<Pod> deleteOld, List<String> surgeCreates) {}

  /**
   * @param partition how many eligible nodes stay on an old revision
   * @param updatable nodes the update may touch (the update node selector); others keep theirs
   * @param strict whether old pods that are already unavailable count against the budget
   * @param specPartition the partition the spec asks for; {@code partition} may hold more nodes
   *     back (the current step of a staged rollout) or fewer (a rollback)
   */
  public record Budget(
      int maxUnavailable,
      int maxSurge,
      int partition,
      Predicate<String> updatable,
      boolean strict,
      int specPartition,
      NodeOrder order,
      Predicate<String> prePulled) {

    public Budget withPartition(int newPartition) {
      return new Budget(
          maxUnavailable,
          maxSurge,
          newPartition,
          updatable,
          strict,
          specPartition,
          order,
          prePulled);
    }

    /** The rollout order and per-domain budgets ({@link NodeOrder}) this step keeps to. */
    public Budget withOrder(NodeOrder newOrder) {
      return new Budget(
          maxUnavailable,
          maxSurge,
          partition,
          updatable,
          strict,
          specPartition,
          newOrder,
          prePulled);
    }

    /**
     * Nodes whose working pod may be replaced: their images are pulled ({@link PrePullPlanner}).
     */
    public Budget withPrePulled(Predicate<String> newPrePulled) {
      return new Budget(
          maxUnavailable,
          maxSurge,
          partition,
          updatable,
          strict,
          specPartition,
          order,
          newPrePulled);
    }
  }

  public static Budget budget(
      UpdateStrategy strategy, int desired, Predicate<String> matchesUpdateSelector) {
    RollingUpdate rolling = strategy == null ? null : strategy.getRollingUpdate();
    IntOrString surgeValue = rolling == null ? null : rolling.getMaxSurge();
    int maxSurge = scaled(surgeValue, desired, 0);
    IntOrString unavailableValue = rolling == null ? null : rolling.getMaxUnavailable();
    int maxUnavailable = scaled(unavailableValue, desired, maxSurge > 0 ? 0 : 1);
    if (maxSurge == 0 && maxUnavailable == 0) {
      maxUnavailable = 1;
    }
    int partition =
        Math.min(desired, scaled(rolling == null ? null : rolling.getPartition(), desired, 0));
    boolean strict = rolling != null && Boolean.TRUE.equals(rolling.getStrict());
    return new Budget(
        maxUnavailable,
        maxSurge,
        partition,
        matchesUpdateSelector,
        strict,
        partition,
        NodeOrder.NONE,
        node -> true);
  }

  /**
   * An int, or a percentage of {@code total} rounded up; {@code fallback} when absent. The one
   * reading of int-or-percent fields, for the operator and the kubectl plugin alike.
   */
  public static int scaled(IntOrString value, int total, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.getIntVal() != null) {
      return Math.max(0, value.getIntVal());
    }
    String text = value.getStrVal();
    if (text == null || !text.endsWith("%")) {
      return fallback;
    }
    int percent = Integer.parseInt(text.substring(0, text.length() - 1));
    return (int) Math.ceil(percent * (double) total / 100.0);
  }

  /**
   * Partition and the update node selector limit which nodes may start an update: of the nodes
   * still on an old revision, only those the selector admits, and only as many as leave {@code
   * partition} nodes on the old revision (in rollout order, so the same nodes stay behind). Nodes
   * already updating finish. With a rollout order of several groups, only the current group's nodes
   * may start ({@link NodeOrder}); each domain's budget bounds its nodes as the global one bounds
   * the fleet.
   *
   * @param nodes every node in the rollout, in rollout order
   */
  public static Step step(
      List<NodePods> nodes, Budget budget, Predicate<Pod> available, Set<String> inFlight) {
    List<NodePods> admitted =
        budget
            .order()
            .onlyCurrentGroup(admit(nodes, budget, inFlight), available, startsUpdate(inFlight));
    DomainRoom room = DomainRoom.of(nodes, budget, available, inFlight);
    return budget.maxSurge() > 0
        ? surgeStep(admitted, budget.maxSurge(), budget.strict(), available, inFlight, room, budget)
        : unavailableStep(
            admitted, budget.maxUnavailable(), budget.strict(), available, room, budget);
  }

  /** The nodes partition and the update node selector let into this step, in order. */
  static List<NodePods> admit(List<NodePods> nodes, Budget budget, Set<String> inFlight) {
    Predicate<NodePods> startsUpdate = startsUpdate(inFlight);
    long onOld = nodes.stream().filter(startsUpdate).count();
    long mayStart = Math.max(0, onOld - budget.partition());
    List<NodePods> admitted = new ArrayList<>();
    for (NodePods n : nodes) {
      if (!startsUpdate.test(n)) {
        admitted.add(n);
      } else if (budget.updatable().test(n.node()) && mayStart > 0) {
        admitted.add(n);
        mayStart--;
      }
    }
    return admitted;
  }

  private static Predicate<NodePods> startsUpdate(Set<String> inFlight) {
    return n -> n.updated() == null && n.old() != null && !inFlight.contains(n.node());
  }

  /**
   * What is left of each domain's own budget (maxUnavailablePerDomain) before this step. Its nodes
   * are counted over every node in the rollout, held back or not, by the same rules as the global
   * budget: unavailable for an unavailable step, in transition for a surge step, and in strict mode
   * nodes whose old pod is already unavailable too, so a domain that is already degraded gets no
   * new disruption. Empty (no limit) without a per-domain budget.
   */
  private record DomainRoom(NodeOrder order, Map<String, Integer> left) {

    static DomainRoom of(
        List<NodePods> nodes, Budget budget, Predicate<Pod> available, Set<String> inFlight) {
      NodeOrder order = budget.order();
      if (!order.hasDomainBudget()) {
        return new DomainRoom(order, null);
      }
      Map<String, Integer> used = new HashMap<>();
      for (NodePods n : nodes) {
        boolean counts;
        if (budget.maxSurge() > 0) {
          counts =
              n.old() != null
                  && ((n.updated() == null && inFlight.contains(n.node()))
                      || (n.updated() != null && !available.test(n.updated()))
                      || (n.updated() == null && budget.strict() && !available.test(n.old())));
        } else {
          counts =
              n.updated() == null && n.old() == null
                  || n.updated() != null && (n.old() != null || !available.test(n.updated()))
                  || n.updated() == null && budget.strict() && !available.test(n.old());
        }
        if (counts) {
          used.merge(order.domain(n.node()), 1, Integer::sum);
        }
      }
      Map<String, Integer> left = new HashMap<>();
      for (String domain : order.domains()) {
        left.put(domain, order.domainBudget(domain) - used.getOrDefault(domain, 0));
      }
      return new DomainRoom(order, left);
    }

    /** Takes one from the node's domain if it has room; always true without per-domain budgets. */
    boolean take(String node) {
      if (left == null) {
        return true;
      }
      String domain = order.domain(node);
      int room = left.getOrDefault(domain, 0);
      if (room <= 0) {
        return false;
      }
      left.put(domain, room - 1);
      return true;
    }
  }

  private static Step unavailableStep(
      List<NodePods> nodes,
      int maxUnavailable,
      boolean strict,
      Predicate<Pod> available,
      DomainRoom room,
      Budget budget) {
    int unavailable = 0;
    List<Pod> replaceFree = new ArrayList<>();
    List<NodePods> candidates = new ArrayList<>();
    for (NodePods n : nodes) {
      if ((n.updated() == null && n.old() == null) || (n.updated() != null && n.old() != null)) {
        unavailable++;
      } else if (n.updated() != null) {
        if (!available.test(n.updated())) {
          unavailable++;
        }
      } else if (!available.test(n.old())) {
        replaceFree.add(n.old());
        if (strict) {
          unavailable++;
        }
      } else {
        candidates.add(n);
      }
    }
    int remaining = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.size()));
    List<Pod> delete = new ArrayList<>(replaceFree);
    for (int i = 0; i < candidates.size() && remaining > 0; i++) {
      NodePods candidate = candidates.get(i);
      if (!budget.prePulled().test(candidate.node())) {
        break; // its images are still being pulled; the nodes after it wait their turn
      }
      if (room.take(candidate.node())) {
        delete.add(candidate.old());
        remaining--;
      }
    }
    return new Step(delete, List.of());
  }

  private static Step surgeStep(
      List<NodePods> nodes,
      int maxSurge,
      boolean strict,
      Predicate<Pod> available,
      Set<String> inFlight,
      DomainRoom room,
      Budget budget) {
    int surging = 0;
    List<String> allowed = new ArrayList<>();
    List<String> candidates = new ArrayList<>();
    List<Pod> delete = new ArrayList<>();
    for (NodePods n : nodes) {
      if (n.old() == null) {
        continue; // no pod (the lifecycle step creates one) or only the new one
      }
      if (n.updated() == null) {
        if (inFlight.contains(n.node())) {
          surging++;
        } else if (!available.test(n.old()) && !strict) {
          allowed.add(n.node());
        } else {
          candidates.add(n.node());
        }
      } else if (available.test(n.updated())) {
        delete.add(n.old());
      } else {
        surging++;
      }
    }
    int remaining = Math.max(0, Math.min(maxSurge - surging, candidates.size()));
    List<String> creates = new ArrayList<>(allowed);
    for (int i = 0; i < candidates.size() && remaining > 0; i++) {
      if (!budget.prePulled().test(candidates.get(i))) {
        break; // its images are still being pulled; the nodes after it wait their turn
      }
      if (room.take(candidates.get(i))) {
        creates.add(candidates.get(i));
        remaining--;
      }
    }
    return new Step(delete, creates);
  }
}
