package dev.nodedaemon.plan;

import static dev.nodedaemon.testing.TestFleet.intOrPercent;
import static dev.nodedaemon.testing.TestFleet.withRollingUpdate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.DomainMode;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodSelector;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.RolloutOrder;
import dev.nodedaemon.api.RolloutStep;
import dev.nodedaemon.api.SelectorRequirement;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.testing.PlanInputs;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rollout order and the per-domain budget as tables: a fleet (each node's name, labels and pod
 * state), the rollingUpdate settings, and the nodes one planner step starts updating (old pod
 * deleted, or with surge a new pod created beside it).
 *
 * <p>Node states: {@code old} an available old pod; {@code old!} an unavailable old pod; {@code
 * new} an available update-revision pod; {@code new~} an update-revision pod not ready yet; {@code
 * -} no pod.
 */
class RolloutOrderTest {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final String REV = "rev2";
  private static final String ZONE = "topology.kubernetes.io/zone";

  /** One case: a fleet as "name zone[,label=value] state" lines, settings, nodes that start. */
  record Case(String name, List<String> fleet, Settings settings, List<String> starts) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The rollingUpdate fields the cases vary. */
  record Settings(
      Object maxUnavailable,
      Object maxSurge,
      List<PodSelector> priority,
      boolean byZone,
      DomainMode mode,
      Object perDomain,
      boolean strict) {

    static Settings budget(Object maxUnavailable) {
      return new Settings(maxUnavailable, null, null, false, null, null, false);
    }

    Settings zones() {
      return new Settings(maxUnavailable, maxSurge, priority, true, mode, perDomain, strict);
    }

    Settings parallel() {
      return new Settings(
          maxUnavailable, maxSurge, priority, true, DomainMode.Parallel, perDomain, strict);
    }

    Settings perDomain(Object value) {
      return new Settings(maxUnavailable, maxSurge, priority, byZone, mode, value, strict);
    }

    Settings strictly() {
      return new Settings(maxUnavailable, maxSurge, priority, byZone, mode, perDomain, true);
    }

    Settings surge(Object value) {
      return new Settings(0, value, priority, byZone, mode, perDomain, strict);
    }

    Settings priority(PodSelector... selectors) {
      return new Settings(
          maxUnavailable, maxSurge, List.of(selectors), byZone, mode, perDomain, strict);
    }
  }

  static Stream<Arguments> cases() {
    PodSelector canary = new PodSelector(Map.of("canary", "true"));
    PodSelector workers = new PodSelector();
    SelectorRequirement inPool = new SelectorRequirement();
    inPool.setKey("pool");
    inPool.setOperator("In");
    inPool.setValues(List.of("gpu", "edge"));
    workers.setMatchExpressions(List.of(inPool));
    List<String> threeZones =
        List.of(
            "n1 b old",
            "n2 a old",
            "n3 c old",
            "n4 a old",
            "n5 b old",
            "n6 c old",
            "n7 a old",
            "n8 b old",
            "n9 c old");
    return Stream.of(
            new Case(
                "without an order, nodes go in name order under the global budget",
                threeZones,
                Settings.budget(3),
                List.of("n1", "n2", "n3")),
            new Case(
                "by zone, the first domain in value order goes first, its nodes in name order",
                threeZones,
                Settings.budget(2).zones(),
                List.of("n2", "n4")),
            new Case(
                "by zone, a large budget still touches only the current domain",
                threeZones,
                Settings.budget(9).zones(),
                List.of("n2", "n4", "n7")),
            new Case(
                "the next domain waits while a node of the current one is not available yet",
                List.of("n1 a new", "n2 a new~", "n3 b old", "n4 b old"),
                Settings.budget(4).zones(),
                List.of()),
            new Case(
                "the next domain starts once every node of the current one is done",
                List.of("n1 a new", "n2 a new", "n3 b old", "n4 b old"),
                Settings.budget(4).zones(),
                List.of("n3", "n4")),
            new Case(
                "a node of the current domain without a pod holds the next domain back",
                List.of("n1 a new", "n2 a -", "n3 b old"),
                Settings.budget(4).zones(),
                List.of()),
            new Case(
                "nodes without the topology label form the last domain",
                List.of("n0 - old", "n1 b old", "n2 a old"),
                Settings.budget(1).zones(),
                List.of("n2")),
            new Case(
                "nodes without the topology label go once every labelled domain is done",
                List.of("n0 - old", "n1 b new", "n2 a new"),
                Settings.budget(1).zones(),
                List.of("n0")),
            new Case(
                "a priority pool goes before any other node, whatever the budget",
                List.of("n1 a old", "n2 a old", "n8 a,canary=true old", "n9 b,canary=true old"),
                Settings.budget(4).priority(canary),
                List.of("n8", "n9")),
            new Case(
                "the rest waits until every node of the priority pool is done",
                List.of("n1 a old", "n8 a,canary=true new", "n9 b,canary=true new~"),
                Settings.budget(4).priority(canary),
                List.of()),
            new Case(
                "nodes that match no selector come last; expressions select as a label selector",
                List.of("n1 a old", "n2 a,pool=gpu old", "n3 a,pool=cpu old"),
                Settings.budget(3).priority(canary, workers),
                List.of("n2")),
            new Case(
                "priority first, then zone by zone within the pool",
                List.of("n1 a old", "n7 b,canary=true old", "n8 a,canary=true old", "n9 c old"),
                Settings.budget(4).priority(canary).zones(),
                List.of("n8")),
            new Case(
                "per-domain budget 1 in parallel: one node per zone, within the global budget",
                threeZones,
                Settings.budget(6).parallel().perDomain(1),
                List.of("n2", "n1", "n3")),
            new Case(
                "the stricter budget wins: global 2 over per-domain 1 across three zones",
                threeZones,
                Settings.budget(2).parallel().perDomain(1),
                List.of("n2", "n1")),
            new Case(
                "per-domain percentage is of the domain's own nodes, rounded up",
                threeZones,
                Settings.budget(9).parallel().perDomain("50%"),
                List.of("n2", "n4", "n1", "n5", "n3", "n6")),
            new Case(
                "an updating node uses its domain's budget",
                List.of("n1 a new~", "n2 a old", "n3 b old", "n4 b old"),
                Settings.budget(4).parallel().perDomain(1),
                List.of("n3")),
            new Case(
                "sequential domains keep their own budget too",
                threeZones,
                Settings.budget(9).zones().perDomain(2),
                List.of("n2", "n4")),
            new Case(
                "without strict, a broken old pod is replaced for free and its domain loses one more",
                List.of("n1 a old!", "n2 a old", "n3 b old", "n4 b old"),
                Settings.budget(4).parallel().perDomain(1),
                List.of("n1", "n2", "n3")),
            new Case(
                "strict: a degraded domain gets no new disruption (its broken pod is still replaced)",
                List.of("n1 a old!", "n2 a old", "n3 b old", "n4 b old"),
                Settings.budget(4).parallel().perDomain(1).strictly(),
                List.of("n1", "n3")),
            new Case(
                "surge: per-domain budget bounds the nodes of a zone in transition",
                List.of("n1 a old", "n2 a old", "n3 b old", "n4 b old"),
                Settings.budget(0).parallel().perDomain(1).surge(4),
                List.of("n1", "n3")),
            new Case(
                "surge by zone: only the current zone surges",
                List.of("n1 a old", "n2 a old", "n3 b old", "n4 b old"),
                Settings.budget(0).zones().surge(4),
                List.of("n1", "n2")))
        .map(Arguments::of);
  }

  private final List<Node> nodes = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void oneStepStartsTheseNodes(Case c) {
    c.fleet().forEach(this::add);
    NodeDaemon nd = nodeDaemon(c.settings());

    PodPlan plan = plan(nd);

    List<String> started = new ArrayList<>(plan.creates());
    plan.deletes().forEach(d -> started.add(d.pod().getSpec().getNodeName()));
    // Nodes without a pod get one outside the rollout order: not a start.
    started.removeIf(
        node -> c.fleet().stream().anyMatch(l -> l.startsWith(node + " ") && l.endsWith(" -")));
    assertThat(started).as(c.name()).containsExactlyInAnyOrderElementsOf(c.starts());
  }

  @Test
  void stepsCountNodesInRolloutOrder() {
    add("n1 a old");
    add("n2 a old");
    add("n9 b,canary=true old");
    NodeDaemon nd =
        nodeDaemon(Settings.budget(3).priority(new PodSelector(Map.of("canary", "true"))));
    nd.getSpec()
        .getUpdateStrategy()
        .getRollingUpdate()
        .setSteps(List.of(new RolloutStep(intOrPercent(1), null)));

    PodPlan plan = PodPlanner.plan(input(nd), new PodPlanner.Limits(1, false, false));

    assertThat(plan.deletes())
        .extracting(d -> d.pod().getSpec().getNodeName())
        .containsExactly("n9");
  }

  @Test
  void partitionHoldsBackTheLastNodesInRolloutOrder() {
    add("n1 c old");
    add("n2 a old");
    add("n3 b old");
    NodeDaemon nd = nodeDaemon(Settings.budget(3).parallel());
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(intOrPercent(1));

    // Parallel has one group, so name order; with Sequential zones the held node is zone c's.
    assertThat(plan(nd).deletes())
        .extracting(d -> d.pod().getSpec().getNodeName())
        .containsExactlyInAnyOrder("n1", "n2");
    nd = nodeDaemon(Settings.budget(3).zones());
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(intOrPercent(1));
    assertThat(plan(nd).deletes())
        .extracting(d -> d.pod().getSpec().getNodeName())
        .containsExactly("n2");
  }

  @Test
  void factsNameTheCurrentGroupAndCountEachDomain() {
    add("n1 a new");
    add("n2 a new");
    add("n3 b new~");
    add("n4 b old");
    add("n5 - old");
    NodeDaemon nd = nodeDaemon(Settings.budget(1).zones().perDomain("50%"));

    OrderFacts order = plan(nd).rollout().order();

    assertThat(order.groups()).containsExactly(ZONE + "=a", ZONE + "=b", ZONE + " unset");
    assertThat(order.currentGroup()).isEqualTo(1);
    assertThat(order.currentGroupName()).isEqualTo(ZONE + "=b");
    assertThat(order.domains())
        .containsExactly(
            new OrderFacts.DomainCount("a", 2, 2, 0, 1),
            new OrderFacts.DomainCount("b", 2, 1, 1, 1),
            new OrderFacts.DomainCount("", 1, 0, 0, 1));
  }

  @Test
  void eventsTellWhenAGroupCompletesAndTheNextStarts() {
    OrderFacts order = new OrderFacts(2, List.of("z=a", "z=b", "z=c"), List.of());

    assertThat(order.events(null))
        .extracting(PodPlan.PlannedEvent::reason, PodPlan.PlannedEvent::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("DomainStarted", "Group 3/3 (z=c) started"));
    assertThat(order.events(1))
        .extracting(PodPlan.PlannedEvent::reason)
        .containsExactly("DomainCompleted", "DomainStarted");
    assertThat(order.events(2)).isEmpty();
    assertThat(new OrderFacts(3, List.of("z=a", "z=b", "z=c"), List.of()).events(2))
        .extracting(PodPlan.PlannedEvent::message)
        .containsExactly("Group 3/3 (z=c) completed");
  }

  private void add(String line) {
    String[] parts = line.split(" ");
    String name = parts[0];
    Map<String, String> labels = new HashMap<>();
    for (String label : parts[1].split(",")) {
      if (label.contains("=")) {
        labels.put(label.substring(0, label.indexOf('=')), label.substring(label.indexOf('=') + 1));
      } else if (!label.equals("-")) {
        labels.put(ZONE, label);
      }
    }
    nodes.add(
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .build());
    switch (parts[2]) {
      case "old" -> pod(name, "old", true);
      case "old!" -> pod(name, "old", false);
      case "new" -> pod(name, REV, true);
      case "new~" -> pod(name, REV, false);
      case "-" -> {}
      default -> throw new IllegalArgumentException(line);
    }
  }

  private void pod(String node, String revision, boolean ready) {
    pods.add(TestPods.running("pod-" + node, node, revision, ready, NOW.minusSeconds(60)));
  }

  private static NodeDaemon nodeDaemon(Settings s) {
    NodeDaemon nd = withRollingUpdate(PodPlannerTest.logAgent(), s.maxUnavailable(), s.maxSurge());
    RollingUpdate rolling = nd.getSpec().getUpdateStrategy().getRollingUpdate();
    if (s.priority() != null || s.byZone()) {
      RolloutOrder order = new RolloutOrder();
      order.setPriority(s.priority());
      order.setTopologyKey(s.byZone() ? ZONE : null);
      order.setDomains(s.mode());
      rolling.setOrder(order);
    }
    rolling.setMaxUnavailablePerDomain(intOrPercent(s.perDomain()));
    rolling.setStrict(s.strict() ? true : null);
    return nd;
  }

  private PodPlan plan(NodeDaemon nd) {
    return PodPlanner.plan(input(nd));
  }

  private PlanInput input(NodeDaemon nd) {
    return PlanInputs.of(nd, REV, ClusterSnapshot.of(nodes, pods), NOW).build();
  }
}
