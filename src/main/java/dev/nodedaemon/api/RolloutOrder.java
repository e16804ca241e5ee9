package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * The order a rolling update walks the fleet in: priority groups of nodes first, then, within each
 * group, topology domains one after the other. Within a group and domain, nodes go in name order.
 * docs/rollout-order.md has the rules and examples.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutOrder {

  /** At most this many priority selectors (and so groups, with the group of the rest). */
  public static final int MAX_PRIORITY = 8;

  /** A Kubernetes qualified label key: an optional DNS-subdomain prefix and a name. */
  static final String LABEL_KEY =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
          + "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

  @Size(max = MAX_PRIORITY)
  @JsonPropertyDescription(
      "Node label selectors, most urgent first. Nodes that match an earlier selector are updated,"
          + " and available, before any node that matches only a later one; nodes that match"
          + " none come last. Example: [{matchLabels: {canary: 'true'}}] updates the canary"
          + " pool first.")
  private List<PodSelector> priority;

  @Size(max = 316)
  @Pattern(LABEL_KEY)
  @JsonPropertyDescription(
      "A node label key, such as topology.kubernetes.io/zone, whose values are the topology"
          + " domains. Within each priority group the rollout finishes one domain (the new"
          + " revision running and available on each of its nodes) before it starts the next,"
          + " in the order of the label's values; nodes without the label form the last domain."
          + " Needed by maxUnavailablePerDomain.")
  private String topologyKey;

  @JsonPropertyDescription(
      "Sequential (default): one domain at a time. Parallel: every domain at once, each held to"
          + " maxUnavailablePerDomain; priority groups still go one after the other.")
  private DomainMode domains;

  public List<PodSelector> getPriority() {
    return priority;
  }

  public void setPriority(List<PodSelector> priority) {
    this.priority = priority;
  }

  public String getTopologyKey() {
    return topologyKey;
  }

  public void setTopologyKey(String topologyKey) {
    this.topologyKey = topologyKey;
  }

  public DomainMode getDomains() {
    return domains;
  }

  public void setDomains(DomainMode domains) {
    this.domains = domains;
  }
}
