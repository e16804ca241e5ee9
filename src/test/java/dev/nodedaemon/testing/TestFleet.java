package dev.nodedaemon.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonSpec;
import dev.nodedaemon.api.PodSelector;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.DaemonPods;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * One test's own corner of the shared cluster: a namespace, and nodes labelled with the test's id
 * so its NodeDaemons (whose template selects that label) never see another test's nodes.
 */
public final class TestFleet {

  public static final String TEST_LABEL = "nodedaemon.dev/test";

  private final LocalCluster cluster;
  private final String id;
  private final String namespace;

  public TestFleet(String prefix) {
    this(SharedCluster.get(), prefix);
  }

  /** A fleet on a cluster of the test's own (see {@link LocalCluster#up}). */
  public TestFleet(LocalCluster cluster, String prefix) {
    this.cluster = cluster;
    this.id = prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    this.namespace = id;
    client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  public KubernetesClient client() {
    return cluster.client();
  }

  public LocalCluster cluster() {
    return cluster;
  }

  public String id() {
    return id;
  }

  public String namespace() {
    return namespace;
  }

  /** Creates {@code count} Ready fake nodes named {@code <id>-<suffix>-N} with the test label. */
  public List<String> addNodes(String suffix, int count, String... extraLabels) {
    String prefix = id + "-" + suffix + "-";
    String labels =
        TEST_LABEL
            + "="
            + id
            + (extraLabels.length == 0 ? "" : "," + String.join(",", extraLabels));
    cluster.cluster(
        "add-nodes", "--count", Integer.toString(count), "--prefix", prefix, "--labels", labels);
    return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
  }

  /**
   * As {@link #addNodes}, with {@code topology.kubernetes.io/zone} assigned round-robin from {@code
   * zones} (node 0 the first zone, node 1 the second, ...).
   */
  public List<String> addNodesInZones(
      String suffix, int count, List<String> zones, String... extraLabels) {
    String prefix = id + "-" + suffix + "-";
    String labels =
        TEST_LABEL
            + "="
            + id
            + (extraLabels.length == 0 ? "" : "," + String.join(",", extraLabels));
    cluster.cluster(
        "add-nodes",
        "--count",
        Integer.toString(count),
        "--prefix",
        prefix,
        "--labels",
        labels,
        "--zones",
        String.join(",", zones));
    return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
  }

  /** A NodeDaemon shaped like the seeds' fluentd-elasticsearch, limited to this test's nodes. */
  public NodeDaemon logAgent(String name) {
    NodeDaemon nd = new NodeDaemon();
    nd.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    NodeDaemonSpec spec = new NodeDaemonSpec();
    spec.setSelector(new PodSelector(Map.of("name", name)));
    spec.setTemplate(
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(Map.of("name", name))
            .endMetadata()
            .withNewSpec()
            .withNodeSelector(Map.of(TEST_LABEL, id))
            .addNewContainer()
            .withName("fluentd-elasticsearch")
            .withImage("quay.io/fluentd_elasticsearch/fluentd:v2.5.2")
            .endContainer()
            .endSpec()
            .build());
    nd.setSpec(spec);
    return nd;
  }

  /**
   * A RollingUpdate strategy with these budgets, each an Integer, a "N%" String or null (unset);
   * other fields of the strategy are set on {@code nd.getSpec().getUpdateStrategy()} after.
   */
  public static NodeDaemon withRollingUpdate(
      NodeDaemon nodeDaemon, Object maxUnavailable, Object maxSurge) {
    RollingUpdate rolling = new RollingUpdate();
    rolling.setMaxUnavailable(intOrPercent(maxUnavailable));
    rolling.setMaxSurge(intOrPercent(maxSurge));
    UpdateStrategy strategy = new UpdateStrategy();
    strategy.setRollingUpdate(rolling);
    nodeDaemon.getSpec().setUpdateStrategy(strategy);
    return nodeDaemon;
  }

  public static IntOrString intOrPercent(Object value) {
    if (value == null) {
      return null;
    }
    return value instanceof Integer i ? new IntOrString(i) : new IntOrString((String) value);
  }

  /**
   * Health gates off: for tests of what happens without them (the progress deadline, rollback by
   * failurePolicy), which a broken image would otherwise pre-empt.
   */
  public static NodeDaemon withoutHealthGates(NodeDaemon nodeDaemon) {
    dev.nodedaemon.api.HealthGates gates = new dev.nodedaemon.api.HealthGates();
    gates.setEnabled(false);
    nodeDaemon.getSpec().setHealthGates(gates);
    return nodeDaemon;
  }

  /** The NodeDaemon's first container claims {@code port} on its node (a hostPort). */
  public static NodeDaemon withHostPort(NodeDaemon nodeDaemon, int port) {
    nodeDaemon
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setPorts(
            List.of(new ContainerPortBuilder().withContainerPort(port).withHostPort(port).build()));
    return nodeDaemon;
  }

  /** kwok makes the NodeDaemon's pods Ready only after {@code delay}, such as "2s". */
  public static NodeDaemon withReadyDelay(NodeDaemon nodeDaemon, String delay) {
    nodeDaemon
        .getSpec()
        .getTemplate()
        .getMetadata()
        .setAnnotations(Map.of("pod-ready.stage.kwok.x-k8s.io/delay", delay));
    return nodeDaemon;
  }

  public NodeDaemon create(NodeDaemon nodeDaemon) {
    return client()
        .resources(NodeDaemon.class)
        .inNamespace(namespace)
        .resource(nodeDaemon)
        .create();
  }

  public NodeDaemon get(String name) {
    return client().resources(NodeDaemon.class).inNamespace(namespace).withName(name).get();
  }

  public List<Pod> pods(String nodeDaemonName) {
    return client()
        .pods()
        .inNamespace(namespace)
        .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, nodeDaemonName)
        .list()
        .getItems();
  }

  /** Waits (on a watch, not a sleep) until the NodeDaemon's pods satisfy {@code condition}. */
  public List<Pod> awaitPods(
      String nodeDaemonName, Predicate<List<Pod>> condition, Duration timeout) {
    try {
      return client()
          .pods()
          .inNamespace(namespace)
          .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, nodeDaemonName)
          .informOnCondition(condition)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(
          "pods of "
              + nodeDaemonName
              + " did not reach the condition within "
              + timeout
              + "; they are: "
              + describe(pods(nodeDaemonName)),
          e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Exactly one live, ready pod on each of {@code nodes} and on no other node. */
  public List<Pod> awaitReadyOnExactly(String nodeDaemonName, List<String> nodes) {
    return awaitOnePodPerNode(nodeDaemonName, nodes, p -> true, Duration.ofSeconds(90));
  }

  /**
   * Waits until each of {@code nodes}, and no other node, runs exactly one live (non-terminating)
   * pod that is ready and matches {@code each}; returns those live pods. An old pod may still be
   * terminating beside its replacement.
   */
  private List<Pod> awaitOnePodPerNode(
      String nodeDaemonName, List<String> nodes, Predicate<Pod> each, Duration timeout) {
    List<String> expected = nodes.stream().sorted().toList();
    return awaitPods(
            nodeDaemonName,
            pods -> {
              List<Pod> live = pods.stream().filter(p -> !DaemonPods.isTerminating(p)).toList();
              return live.stream().allMatch(p -> DaemonPods.isReady(p) && each.test(p))
                  && live.stream()
                      .map(p -> p.getSpec().getNodeName())
                      .sorted()
                      .toList()
                      .equals(expected);
            },
            timeout)
        .stream()
        .filter(p -> !DaemonPods.isTerminating(p))
        .toList();
  }

  /** A JSON patch on a NodeDaemon, as {@code kubectl patch --type=json}: no resourceVersion. */
  public void patch(String nodeDaemonName, String jsonPatch) {
    client()
        .resources(NodeDaemon.class)
        .inNamespace(namespace)
        .withName(nodeDaemonName)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
            jsonPatch);
  }

  /** What {@code kubectl set image} does for a DaemonSet, on the first container. */
  public void setImage(String nodeDaemonName, String image) {
    patch(
        nodeDaemonName,
        "[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/image\","
            + " \"value\": \""
            + image
            + "\"}]");
  }

  /** Waits until every node runs exactly one live pod, ready, on {@code image}; returns them. */
  public List<Pod> awaitAllOnImage(String nodeDaemonName, List<String> nodes, String image) {
    return awaitOnePodPerNode(
        nodeDaemonName, nodes, p -> image.equals(image(p)), Duration.ofSeconds(120));
  }

  /** Exactly one live pod on each of {@code nodes} nodes, ready, on {@code image}. */
  public static Predicate<List<Pod>> allReadyOn(String image, int nodes) {
    return pods -> {
      List<Pod> live = pods.stream().filter(p -> !DaemonPods.isTerminating(p)).toList();
      return live.size() == nodes
          && live.stream().allMatch(p -> DaemonPods.isReady(p) && image.equals(image(p)))
          && live.stream().map(p -> p.getSpec().getNodeName()).distinct().count() == nodes;
    };
  }

  public static String image(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }

  public NodeDaemon awaitStatus(String name, Predicate<NodeDaemon> condition) {
    return client()
        .resources(NodeDaemon.class)
        .inNamespace(namespace)
        .withName(name)
        .waitUntilCondition(nd -> nd != null && condition.test(nd), 90, TimeUnit.SECONDS);
  }

  public List<Event> events(String involvedName) {
    return client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> involvedName.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** Waits on a watch until events with {@code reason} on the object add up to {@code count}. */
  /** Waits for an event of {@code reason} on the object and returns its message; fails on more. */
  public String awaitOnlyEvent(String involvedName, String reason, Duration timeout) {
    awaitEvents(involvedName, reason, 1, timeout);
    List<Event> matching =
        events(involvedName).stream().filter(e -> reason.equals(e.getReason())).toList();
    if (matching.size() != 1) {
      throw new AssertionError(
          "one "
              + reason
              + " event on "
              + involvedName
              + " expected, got "
              + matching.size()
              + ": "
              + matching.stream().map(Event::getMessage).toList());
    }
    return matching.get(0).getMessage();
  }

  public void awaitEvents(String involvedName, String reason, int count, Duration timeout) {
    try {
      client()
          .v1()
          .events()
          .inNamespace(namespace)
          .informOnCondition(
              events ->
                  events.stream()
                          .filter(e -> involvedName.equals(e.getInvolvedObject().getName()))
                          .filter(e -> reason.equals(e.getReason()))
                          .mapToInt(e -> e.getCount() == null ? 1 : e.getCount())
                          .sum()
                      >= count)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(
          count
              + " "
              + reason
              + " events on "
              + involvedName
              + " not seen within "
              + timeout
              + "; events: "
              + eventReasons(involvedName)
              + "; pods: "
              + describe(pods(involvedName))
              + "; conditions: "
              + conditions(involvedName),
          e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The NodeDaemon's conditions as "Type=Status (Reason: message)", for failure messages. */
  private String conditions(String name) {
    NodeDaemon nodeDaemon = get(name);
    if (nodeDaemon == null
        || nodeDaemon.getStatus() == null
        || nodeDaemon.getStatus().getConditions() == null) {
      return "[]";
    }
    return nodeDaemon.getStatus().getConditions().stream()
        .map(
            c ->
                c.getType()
                    + "="
                    + c.getStatus()
                    + " ("
                    + c.getReason()
                    + ": "
                    + c.getMessage()
                    + ")")
        .toList()
        .toString();
  }

  public List<String> eventReasons(String involvedName) {
    List<String> reasons = new ArrayList<>();
    for (Event e : events(involvedName)) {
      for (int i = 0; i < (e.getCount() == null ? 1 : e.getCount()); i++) {
        reasons.add(e.getReason());
      }
    }
    return reasons;
  }

  public static String describe(List<Pod> pods) {
    return pods.stream()
        .map(
            p ->
                p.getMetadata().getName()
                    + "@"
                    + p.getSpec().getNodeName()
                    + "["
                    + (p.getStatus() == null ? "?" : p.getStatus().getPhase())
                    + (DaemonPods.isReady(p) ? ",ready" : "")
                    + (DaemonPods.isTerminating(p) ? ",terminating" : "")
                    + "]")
        .toList()
        .toString();
  }

  public void assertNoPodsOn(String nodeDaemonName, String node) {
    assertThat(pods(nodeDaemonName).stream().filter(p -> node.equals(p.getSpec().getNodeName())))
        .as("pods on " + node)
        .isEmpty();
  }
}
