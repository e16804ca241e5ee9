package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.placement.NodeEligibility;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nodes NAME}: a table of which node runs which revision, ready or not, and why; nodes that
 * should run the pod and have none are listed too.
 */
@Command(
    name = "nodes",
    description = {
      "Show which node runs which revision, ready or not, and why.",
      "Nodes that should run the pod but have none are listed with the reason."
    })
final class NodesCommand extends NodeDaemonCommand {

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "json, yaml, or wide (adds a MESSAGE column).")
  OutputFormat output;

  @Override
  int run(Cluster cluster, PrintWriter out) {
    NodeDaemon nodeDaemon = cluster.nodeDaemon(name);
    NodeDaemonStatus status = nodeDaemon.getStatus();
    List<Node> shouldRun = nodesThatShouldRun(cluster, nodeDaemon);
    List<NodeRows.Row> rows =
        NodeRows.build(
            cluster.pods(name),
            cluster.revisions(name),
            TemplateRevision.hash(nodeDaemon),
            status == null ? null : status.getBlockingNodes(),
            shouldRun.stream().map(n -> n.getMetadata().getName()).toList(),
            domains(nodeDaemon, shouldRun),
            PrePullView.on(nodeDaemon)
                ? PrePullView.of(
                    cluster.prePullPods(name), status == null ? null : status.getUpdateRevision())
                : null);
    if (output != null && output.machine()) {
      Output.machine(out, output, rows);
    } else if (rows.isEmpty()) {
      out.println("No nodes should run node daemon \"" + name + "\", and it has no pods.");
    } else {
      out.print(NodeRows.table(rows, Instant.now(), output == OutputFormat.wide));
      OrderView.lines(status).forEach(out::println);
    }
    return ExitCodes.OK;
  }

  /**
   * The nodes the NodeDaemon's template is eligible for, by the operator's own rule; empty when the
   * user may not list nodes (then only the operator's blockingNodes name missing pods).
   */
  private static List<Node> nodesThatShouldRun(Cluster cluster, NodeDaemon nodeDaemon) {
    PodSpec template = nodeDaemon.getSpec().getTemplate().getSpec();
    List<Node> nodes;
    try {
      nodes = cluster.client().nodes().list().getItems();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        return List.of();
      }
      throw e;
    }
    return nodes.stream().filter(n -> NodeEligibility.decide(n, template).shouldRun()).toList();
  }

  /** Each node's value of rollingUpdate.order.topologyKey ("" without it); empty without a key. */
  private static Map<String, String> domains(NodeDaemon nodeDaemon, List<Node> nodes) {
    UpdateStrategy strategy = nodeDaemon.getSpec().getUpdateStrategy();
    String key =
        strategy == null
                || strategy.getRollingUpdate() == null
                || strategy.getRollingUpdate().getOrder() == null
            ? null
            : strategy.getRollingUpdate().getOrder().getTopologyKey();
    if (key == null) {
      return Map.of();
    }
    Map<String, String> domainOf = new HashMap<>();
    for (Node node : nodes) {
      Map<String, String> labels = node.getMetadata().getLabels();
      domainOf.put(
          node.getMetadata().getName(), labels == null ? "" : labels.getOrDefault(key, ""));
    }
    return domainOf;
  }
}
