package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.placement.NodeEligibility;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
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
    List<NodeRows.Row> rows =
        NodeRows.build(
            cluster.pods(name),
            cluster.revisions(name),
            TemplateRevision.hash(nodeDaemon),
            status == null ? null : status.getBlockingNodes(),
            nodesThatShouldRun(cluster, nodeDaemon));
    if (output != null && output.machine()) {
      Output.machine(out, output, rows);
    } else if (rows.isEmpty()) {
      out.println("No nodes should run node daemon \"" + name + "\", and it has no pods.");
    } else {
      out.print(NodeRows.table(rows, Instant.now(), output == OutputFormat.wide));
    }
    return ExitCodes.OK;
  }

  /**
   * The nodes the NodeDaemon's template is eligible for, by the operator's own rule; empty when the
   * user may not list nodes (then only the operator's blockingNodes name missing pods).
   */
  private static List<String> nodesThatShouldRun(Cluster cluster, NodeDaemon nodeDaemon) {
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
    return nodes.stream()
        .filter(n -> NodeEligibility.decide(n, template).shouldRun())
        .map(n -> n.getMetadata().getName())
        .toList();
  }
}
