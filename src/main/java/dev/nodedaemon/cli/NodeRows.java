package dev.nodedaemon.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.nodedaemon.api.BlockingNode;
import dev.nodedaemon.observe.DaemonPods;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which node runs which revision, ready or not, and why: one row per daemon pod, and one per node
 * that should run a pod and has none. Pure: {@link NodesCommand} reads the cluster.
 *
 * <p>The operator's status.blockingNodes explains nodes it is waiting on; a pod's own state
 * (waiting reason, scheduling) explains it first, and the blocking entry fills in when the pod says
 * nothing (a node NotReady under a ready-looking pod, a pod missing).
 */
final class NodeRows {

  private NodeRows() {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Row(
      String node,
      String domain,
      String pod,
      Long revision,
      String hash,
      boolean updated,
      String ready,
      String created,
      String reason,
      String message,
      String prePull) {}

  static List<Row> build(
      List<Pod> pods,
      List<Revision> revisions,
      String updateHash,
      List<BlockingNode> blockingNodes,
      Collection<String> nodesThatShouldRun) {
    return build(pods, revisions, updateHash, blockingNodes, nodesThatShouldRun, Map.of(), null);
  }

  /**
   * @param domainOf each node's topology domain (rollingUpdate.order.topologyKey), "" for a node
   *     without the label; empty without a topologyKey (then no DOMAIN column)
   * @param prePulls the update revision's pre-pull pods by node ({@link PrePullView}); null when
   *     prePull is off (then no PREPULL column)
   */
  static List<Row> build(
      List<Pod> pods,
      List<Revision> revisions,
      String updateHash,
      List<BlockingNode> blockingNodes,
      Collection<String> nodesThatShouldRun,
      Map<String, String> domainOf,
      Map<String, PrePullView.Pull> prePulls) {
    Map<String, Long> numbers = new HashMap<>();
    revisions.forEach(r -> numbers.put(r.hash(), r.revision()));
    Map<String, BlockingNode> blocking = new HashMap<>();
    if (blockingNodes != null) {
      blockingNodes.forEach(b -> blocking.put(b.getNode(), b));
    }
    List<Row> rows = new ArrayList<>();
    Set<String> withPod = new HashSet<>();
    for (Pod pod : pods) {
      String node = DaemonPods.targetNode(pod).orElse("<none>");
      withPod.add(node);
      String hash = DaemonPods.revision(pod);
      PodReason reason = PodReason.of(pod);
      BlockingNode blocked = blocking.get(node);
      if (reason.reason().isEmpty() && blocked != null && !DaemonPods.isTerminating(pod)) {
        reason = new PodReason(blocked.getReason(), nullToEmpty(blocked.getMessage()));
      }
      rows.add(
          new Row(
              node,
              domainOf.get(node),
              pod.getMetadata().getName(),
              numbers.get(hash),
              hash,
              hash != null && hash.equals(updateHash),
              PodReason.readyCount(pod),
              pod.getMetadata().getCreationTimestamp(),
              reason.reason(),
              reason.message(),
              prePullCell(prePulls, node)));
    }
    Set<String> missing = new HashSet<>(nodesThatShouldRun);
    blocking.keySet().forEach(missing::add);
    missing.removeAll(withPod);
    for (String node : missing) {
      BlockingNode blocked = blocking.get(node);
      rows.add(
          new Row(
              node,
              domainOf.get(node),
              null,
              null,
              null,
              false,
              null,
              null,
              blocked == null ? "PodMissing" : blocked.getReason(),
              blocked == null
                  ? "the node should run a pod and has none"
                  : nullToEmpty(blocked.getMessage()),
              prePullCell(prePulls, node)));
    }
    rows.sort(Comparator.comparing(Row::node).thenComparing(r -> r.pod() == null ? "" : r.pod()));
    return rows;
  }

  static String table(List<Row> rows, Instant now, boolean wide) {
    List<String> header =
        new ArrayList<>(List.of("NODE", "POD", "REVISION", "UPDATED", "READY", "AGE", "REASON"));
    if (wide) {
      header.add("MESSAGE");
    }
    boolean domains = rows.stream().anyMatch(r -> r.domain() != null);
    boolean prePull = rows.stream().anyMatch(r -> r.prePull() != null);
    if (prePull) {
      header.add(header.indexOf("REASON"), "PREPULL");
    }
    if (domains) {
      header.add(1, "DOMAIN");
    }
    List<List<String>> cells = new ArrayList<>();
    for (Row row : rows) {
      List<String> line = new ArrayList<>();
      line.add(row.node());
      if (domains) {
        line.add(row.domain() == null || row.domain().isEmpty() ? "<unset>" : row.domain());
      }
      line.add(row.pod() == null ? "<none>" : row.pod());
      line.add(
          row.hash() == null
              ? "-"
              : (row.revision() == null ? "?" : row.revision().toString())
                  + " ("
                  + row.hash()
                  + ")");
      line.add(row.pod() == null ? "-" : row.updated() ? "yes" : "no");
      line.add(row.ready() == null ? "-" : row.ready());
      line.add(row.created() == null ? "-" : Output.age(Output.instant(row.created()), now));
      if (prePull) {
        line.add(row.prePull() == null ? "-" : row.prePull());
      }
      line.add(row.reason().isEmpty() ? "-" : row.reason());
      if (wide) {
        line.add(row.message() == null || row.message().isEmpty() ? "-" : row.message());
      }
      cells.add(line);
    }
    return Output.table(header, cells);
  }

  /** The node's PREPULL cell: null when prePull is off, "-" on a node without a pre-pull pod. */
  private static String prePullCell(Map<String, PrePullView.Pull> prePulls, String node) {
    if (prePulls == null) {
      return null;
    }
    PrePullView.Pull pull = prePulls.get(node);
    return pull == null ? "-" : pull.cell();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
