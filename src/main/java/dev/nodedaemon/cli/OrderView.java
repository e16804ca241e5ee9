package dev.nodedaemon.cli;

import dev.nodedaemon.api.DomainStatus;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RolloutProgress;
import java.util.ArrayList;
import java.util.List;

/**
 * The rollout order as the plugin shows it (rollingUpdate.order): the current group and each
 * topology domain's counts, from status alone. Pure.
 */
final class OrderView {

  private OrderView() {}

  /** The domains a line shows before it counts the rest. */
  static final int SHOWN_DOMAINS = 12;

  /**
   * "Group 2/3: topology.kubernetes.io/zone=b" (or "All 3 groups done"), then "Domains: a 4/4, b
   * 1/4 (1 unavailable), c 0/4"; empty without an order.
   */
  static List<String> lines(NodeDaemonStatus status) {
    List<String> lines = new ArrayList<>();
    if (status == null) {
      return lines;
    }
    RolloutProgress rollout = status.getRollout();
    if (rollout != null && rollout.getGroupCount() != null) {
      int done = rollout.getGroupsCompleted() == null ? 0 : rollout.getGroupsCompleted();
      lines.add(
          rollout.getGroup() == null
              ? "Order: all " + rollout.getGroupCount() + " groups done"
              : "Order: group "
                  + (done + 1)
                  + "/"
                  + rollout.getGroupCount()
                  + " ("
                  + rollout.getGroup()
                  + ")");
    }
    List<DomainStatus> domains = status.getDomains();
    if (domains != null && !domains.isEmpty()) {
      List<String> parts = new ArrayList<>();
      for (DomainStatus d : domains.subList(0, Math.min(SHOWN_DOMAINS, domains.size()))) {
        parts.add(
            (d.getName() == null || d.getName().isEmpty() ? "<unset>" : d.getName())
                + " "
                + valueOr(d.getUpdated())
                + "/"
                + valueOr(d.getNodes())
                + (valueOr(d.getUnavailable()) > 0
                    ? " (" + d.getUnavailable() + " unavailable)"
                    : ""));
      }
      lines.add(
          "Domains (updated/nodes): "
              + String.join(", ", parts)
              + (domains.size() > SHOWN_DOMAINS
                  ? " and " + (domains.size() - SHOWN_DOMAINS) + " more"
                  : ""));
    }
    return lines;
  }

  private static int valueOr(Integer value) {
    return value == null ? 0 : value;
  }
}
