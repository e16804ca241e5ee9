package dev.nodedaemon.plan;

import dev.nodedaemon.api.DomainMode;
import dev.nodedaemon.api.PodSelector;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.RolloutOrder;
import dev.nodedaemon.api.SelectorRequirement;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The order a rolling update walks its nodes in ({@code rollingUpdate.order}) and the per-domain
 * budget ({@code rollingUpdate.maxUnavailablePerDomain}). Pure; built once per plan from the nodes
 * in the rollout.
 *
 * <p>Invariants:
 *
 * <ol>
 *   <li>Every node is in exactly one group, keyed (priority rank, domain rank). The priority rank
 *       is the index of the first priority selector the node's labels match, or the number of
 *       selectors when it matches none. The domain rank is the place of the node's topologyKey
 *       value among the values present, sorted by {@link String#compareTo}; nodes without the label
 *       (or with an empty value) share the last domain. Without a topologyKey, or with {@code
 *       domains: Parallel}, every node has domain rank 0.
 *   <li>Groups go by priority rank, then domain rank; nodes within a group by name. The same nodes
 *       with the same labels give the same order on every reconcile and after a restart, so
 *       partition and steps, which count nodes in this order, hold back the same nodes.
 *   <li>When the order has more than one group, only the current group's nodes may start an update:
 *       the first group, in order, with a node that is not done (done: it runs the update revision,
 *       available, and no old pod). Nodes of later groups that already started (a spec changed
 *       mid-rollout) finish, and count as unavailable. Nodes held back by partition or the update
 *       node selector are not in any group's way.
 *   <li>A domain's budget is maxUnavailablePerDomain, resolved against the domain's own node count
 *       and rounded up (at least 1); without it, a domain has no budget of its own. A node's
 *       deletion (or surge) needs room in both the global and its domain's budget.
 * </ol>
 */
public final class NodeOrder {

  /** The name of the domain of nodes without the topology label. */
  public static final String NO_DOMAIN = "";

  /** No order: one group, name order, no domains. */
  static final NodeOrder NONE =
      new NodeOrder(Map.of(), Map.of(), List.of(), List.of(), Map.of(), Map.of(), null);

  /**
   * One group of the order.
   *
   * @param name what status and events call it, such as {@code canary=true,
   *     topology.kubernetes.io/zone=b}
   */
  public record Group(int priority, int domainRank, String name) {}

  private final Map<String, Integer> groupOf;
  private final Map<String, String> domainOf;
  private final List<Group> groups;
  private final List<String> domains;
  private final Map<String, Integer> domainSize;
  private final Map<String, Integer> domainBudget;
  private final String topologyKey;

  private NodeOrder(
      Map<String, Integer> groupOf,
      Map<String, String> domainOf,
      List<Group> groups,
      List<String> domains,
      Map<String, Integer> domainSize,
      Map<String, Integer> domainBudget,
      String topologyKey) {
    this.groupOf = groupOf;
    this.domainOf = domainOf;
    this.groups = groups;
    this.domains = domains;
    this.domainSize = domainSize;
    this.domainBudget = domainBudget;
    this.topologyKey = topologyKey;
  }

  /**
   * @param nodes the nodes in the rollout (those that should run the pod and are not skipped)
   */
  static NodeOrder of(RollingUpdate rolling, List<Node> nodes) {
    RolloutOrder order = rolling == null ? null : rolling.getOrder();
    if (order == null) {
      return NONE;
    }
    List<PodSelector> priority = order.getPriority() == null ? List.of() : order.getPriority();
    String key = blankToNull(order.getTopologyKey());
    boolean domainsAreGroups = key != null && order.getDomains() != DomainMode.Parallel;

    Map<String, String> domainOf = new HashMap<>();
    Map<String, Integer> domainSize = new HashMap<>();
    TreeSet<String> named = new TreeSet<>();
    if (key != null) {
      for (Node node : nodes) {
        String value = labels(node).getOrDefault(key, NO_DOMAIN);
        domainOf.put(node.getMetadata().getName(), value);
        domainSize.merge(value, 1, Integer::sum);
        if (!value.isEmpty()) {
          named.add(value);
        }
      }
    }
    List<String> domains = new ArrayList<>(named);
    if (domainSize.containsKey(NO_DOMAIN)) {
      domains.add(NO_DOMAIN); // nodes without the label go last
    }
    Map<String, Integer> domainRank = new HashMap<>();
    for (int i = 0; i < domains.size(); i++) {
      domainRank.put(domains.get(i), i);
    }

    // Group keys in order: priority rank * (domains + 1) + domain rank.
    int width = domains.size() + 1;
    Map<String, Integer> keyOf = new HashMap<>();
    TreeSet<Integer> keys = new TreeSet<>();
    for (Node node : nodes) {
      String name = node.getMetadata().getName();
      int rank = priorityRank(priority, labels(node));
      int domain = domainsAreGroups ? domainRank.get(domainOf.get(name)) : 0;
      int groupKey = rank * width + domain;
      keyOf.put(name, groupKey);
      keys.add(groupKey);
    }
    List<Group> groups = new ArrayList<>();
    Map<Integer, Integer> indexOfKey = new HashMap<>();
    for (int groupKey : keys) {
      int rank = groupKey / width;
      int domain = groupKey % width;
      indexOfKey.put(groupKey, groups.size());
      groups.add(
          new Group(
              rank,
              domain,
              groupName(
                  priority,
                  rank,
                  domainsAreGroups ? key : null,
                  domainsAreGroups ? domains : null,
                  domain)));
    }
    Map<String, Integer> groupOf = new HashMap<>();
    keyOf.forEach((node, groupKey) -> groupOf.put(node, indexOfKey.get(groupKey)));

    Map<String, Integer> domainBudget = new HashMap<>();
    if (key != null && rolling.getMaxUnavailablePerDomain() != null) {
      domainSize.forEach(
          (domain, size) ->
              domainBudget.put(
                  domain,
                  Math.max(
                      1,
                      RollingUpdatePlanner.scaled(rolling.getMaxUnavailablePerDomain(), size, 1))));
    }
    return new NodeOrder(
        groupOf,
        domainOf,
        List.copyOf(groups),
        List.copyOf(domains),
        domainSize,
        domainBudget,
        key);
  }

  /** Groups in order; empty without an order. */
  public List<Group> groups() {
    return groups;
  }

  /** Domain values in order (nodes without the label last, as {@link #NO_DOMAIN}). */
  public List<String> domains() {
    return domains;
  }

  /** The topology label key, null without one. */
  public String topologyKey() {
    return topologyKey;
  }

  /** Whether the rollout walks the groups one at a time (invariant 3). */
  boolean sequential() {
    return groups.size() > 1;
  }

  /** The domain of a node in the rollout, null without a topologyKey. */
  String domain(String node) {
    return domainOf.get(node);
  }

  int domainSize(String domain) {
    return domainSize.getOrDefault(domain, 0);
  }

  /** The domain's own budget, or null when it has none (no maxUnavailablePerDomain). */
  Integer domainBudget(String domain) {
    return domain == null ? null : domainBudget.get(domain);
  }

  boolean hasDomainBudget() {
    return !domainBudget.isEmpty();
  }

  /** Rollout order: group, then name. */
  Comparator<RollingUpdatePlanner.NodePods> comparator() {
    Comparator<RollingUpdatePlanner.NodePods> byName =
        Comparator.comparing(RollingUpdatePlanner.NodePods::node);
    return groups.size() <= 1
        ? byName
        : Comparator.<RollingUpdatePlanner.NodePods>comparingInt(n -> group(n.node()))
            .thenComparing(byName);
  }

  /** The node's group index in {@link #groups()}; 0 for a node the order has not seen. */
  int group(String node) {
    return groupOf.getOrDefault(node, 0);
  }

  /**
   * The current group (invariant 3): the first with a node that is not done; {@code
   * groups().size()} when every node is done.
   */
  int currentGroup(List<RollingUpdatePlanner.NodePods> admitted, Predicate<Pod> available) {
    int current = groups.size();
    for (RollingUpdatePlanner.NodePods n : admitted) {
      boolean done = n.updated() != null && n.old() == null && available.test(n.updated());
      if (!done) {
        current = Math.min(current, group(n.node()));
      }
    }
    return current;
  }

  /**
   * The admitted nodes less those of later groups that have not started (invariant 3); all of them
   * when the order has one group.
   */
  List<RollingUpdatePlanner.NodePods> onlyCurrentGroup(
      List<RollingUpdatePlanner.NodePods> admitted,
      Predicate<Pod> available,
      Predicate<RollingUpdatePlanner.NodePods> startsUpdate) {
    if (!sequential()) {
      return admitted;
    }
    int current = currentGroup(admitted, available);
    List<RollingUpdatePlanner.NodePods> kept = new ArrayList<>(admitted.size());
    for (RollingUpdatePlanner.NodePods n : admitted) {
      if (!startsUpdate.test(n) || group(n.node()) <= current) {
        kept.add(n);
      }
    }
    return kept;
  }

  /** Whether a node's labels satisfy a selector (matchLabels and every matchExpression). */
  static boolean matches(PodSelector selector, Map<String, String> labels) {
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (SelectorRequirement r : selector.getMatchExpressions()) {
        String value = labels.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        boolean holds =
            switch (r.getOperator()) {
              case "In" -> value != null && values.contains(value);
              case "NotIn" -> value == null || !values.contains(value);
              case "Exists" -> value != null;
              case "DoesNotExist" -> value == null;
              default -> false;
            };
        if (!holds) {
          return false;
        }
      }
    }
    return true;
  }

  /** "canary=true", "tier In (a,b)", joined by commas; "{}" for an empty selector. */
  static String describe(PodSelector selector) {
    List<String> parts = new ArrayList<>();
    if (selector.getMatchLabels() != null) {
      selector.getMatchLabels().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> parts.add(e.getKey() + "=" + e.getValue()));
    }
    if (selector.getMatchExpressions() != null) {
      for (SelectorRequirement r : selector.getMatchExpressions()) {
        parts.add(
            r.getKey()
                + " "
                + r.getOperator()
                + (r.getValues() == null || r.getValues().isEmpty()
                    ? ""
                    : " (" + String.join(",", r.getValues()) + ")"));
      }
    }
    return parts.isEmpty() ? "{}" : String.join(",", parts);
  }

  private static int priorityRank(List<PodSelector> priority, Map<String, String> labels) {
    for (int i = 0; i < priority.size(); i++) {
      if (matches(priority.get(i), labels)) {
        return i;
      }
    }
    return priority.size();
  }

  private static String groupName(
      List<PodSelector> priority, int rank, String key, List<String> domains, int domain) {
    List<String> parts = new ArrayList<>();
    if (!priority.isEmpty()) {
      parts.add(rank < priority.size() ? describe(priority.get(rank)) : "other nodes");
    }
    if (key != null) {
      String value = domains.get(domain);
      parts.add(value.isEmpty() ? key + " unset" : key + "=" + value);
    }
    return parts.stream().collect(Collectors.joining(", "));
  }

  private static Map<String, String> labels(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
