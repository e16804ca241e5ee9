package dev.nodedaemon.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the planner saw of the rollout order: the current group and each domain's counts, for the
 * status, the events and the metrics. Bounded by domains, never by nodes. Pure.
 *
 * @param currentGroup the current group's index in {@code groups}, {@code groups.size()} once every
 *     group is done; 0 when the order has a single group
 * @param groups the groups' names in rollout order; empty when the order has fewer than two groups
 * @param domains each topology domain's counts in rollout order, at most {@link #MAX_DOMAINS};
 *     empty without a topologyKey
 */
public record OrderFacts(int currentGroup, List<String> groups, List<DomainCount> domains) {

  /** status.domains lists at most this many domains (and metrics carry as many label values). */
  public static final int MAX_DOMAINS = 100;

  public static final OrderFacts NONE = new OrderFacts(0, List.of(), List.of());

  /**
   * @param name the topologyKey value, empty for nodes without it
   * @param nodes nodes of the domain in the rollout
   * @param updated ... that run the update revision's pod
   * @param unavailable ... without an available pod of any revision
   * @param maxUnavailable the domain's own budget, null without maxUnavailablePerDomain
   */
  public record DomainCount(
      String name, int nodes, int updated, int unavailable, Integer maxUnavailable) {}

  /** The current group's name, null when the order has no groups or all are done. */
  public String currentGroupName() {
    return currentGroup < groups.size() ? groups.get(currentGroup) : null;
  }

  /** At most this many DomainCompleted events at once (groups done in one reconcile). */
  static final int MAX_COMPLETED_EVENTS = 10;

  /**
   * DomainCompleted for each group done since the last status, then DomainStarted for the current
   * group if it changed.
   *
   * @param completedBefore groups the last status saw done; null when it saw none of this rollout
   */
  List<PodPlan.PlannedEvent> events(Integer completedBefore) {
    List<PodPlan.PlannedEvent> events = new ArrayList<>();
    int before = completedBefore == null ? -1 : completedBefore;
    if (before == currentGroup) {
      return events;
    }
    for (int g = Math.max(0, before); g < currentGroup && g < groups.size(); g++) {
      if (before >= 0 && events.size() < MAX_COMPLETED_EVENTS) {
        events.add(
            new PodPlan.PlannedEvent(
                false,
                EventReason.DomainCompleted.name(),
                "Group " + (g + 1) + "/" + groups.size() + " (" + groups.get(g) + ") completed"));
      }
    }
    if (currentGroup < groups.size()) {
      events.add(
          new PodPlan.PlannedEvent(
              false,
              EventReason.DomainStarted.name(),
              "Group "
                  + (currentGroup + 1)
                  + "/"
                  + groups.size()
                  + " ("
                  + currentGroupName()
                  + ") started"));
    }
    return events;
  }

  static OrderFacts of(
      PlanInput input,
      List<RollingUpdatePlanner.NodePods> eligible,
      RollingUpdatePlanner.Budget budget) {
    NodeOrder order = budget.order();
    if (order.groups().isEmpty()) {
      return NONE;
    }
    List<String> groups = new ArrayList<>();
    int current = 0;
    if (order.sequential()) {
      order.groups().forEach(g -> groups.add(g.name()));
      current =
          order.currentGroup(
              RollingUpdatePlanner.admit(eligible, budget, input.creationsInFlight()),
              input::isAvailable);
    }
    if (order.topologyKey() == null) {
      return new OrderFacts(current, List.copyOf(groups), List.of());
    }
    Map<String, int[]> counts = new HashMap<>(); // updated, unavailable
    for (RollingUpdatePlanner.NodePods n : eligible) {
      int[] c = counts.computeIfAbsent(order.domain(n.node()), d -> new int[2]);
      boolean updatedUp = n.updated() != null && input.isAvailable(n.updated());
      boolean oldUp = n.updated() == null && n.old() != null && input.isAvailable(n.old());
      c[0] += n.updated() != null ? 1 : 0;
      c[1] += updatedUp || oldUp ? 0 : 1;
    }
    List<DomainCount> domains = new ArrayList<>();
    for (String domain : order.domains()) {
      if (domains.size() == MAX_DOMAINS) {
        break;
      }
      int[] c = counts.getOrDefault(domain, new int[2]);
      domains.add(
          new DomainCount(
              domain, order.domainSize(domain), c[0], c[1], order.domainBudget(domain)));
    }
    return new OrderFacts(current, List.copyOf(groups), List.copyOf(domains));
  }
}
