package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One topology domain's nodes during a rollout (status.domains): counts, never node names. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DomainStatus {

  @JsonPropertyDescription(
      "The domain: the value of order.topologyKey on its nodes, or an empty string for nodes"
          + " without the label.")
  private String name;

  @JsonPropertyDescription("Nodes of the domain that should run the pod (and are in the rollout).")
  private Integer nodes;

  @JsonPropertyDescription("Nodes of the domain that run the update revision's pod.")
  private Integer updated;

  @JsonPropertyDescription("Nodes of the domain without an available pod of any revision.")
  private Integer unavailable;

  @JsonPropertyDescription(
      "Most nodes of the domain that may be unavailable at once (maxUnavailablePerDomain,"
          + " resolved); absent without one.")
  private Integer maxUnavailable;

  public DomainStatus() {}

  public DomainStatus(
      String name, int nodes, int updated, int unavailable, Integer maxUnavailable) {
    this.name = name;
    this.nodes = nodes;
    this.updated = updated;
    this.unavailable = unavailable;
    this.maxUnavailable = maxUnavailable;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getNodes() {
    return nodes;
  }

  public void setNodes(Integer nodes) {
    this.nodes = nodes;
  }

  public Integer getUpdated() {
    return updated;
  }

  public void setUpdated(Integer updated) {
    this.updated = updated;
  }

  public Integer getUnavailable() {
    return unavailable;
  }

  public void setUnavailable(Integer unavailable) {
    this.unavailable = unavailable;
  }

  public Integer getMaxUnavailable() {
    return maxUnavailable;
  }

  public void setMaxUnavailable(Integer maxUnavailable) {
    this.maxUnavailable = maxUnavailable;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DomainStatus that
        && Objects.equals(name, that.name)
        && Objects.equals(nodes, that.nodes)
        && Objects.equals(updated, that.updated)
        && Objects.equals(unavailable, that.unavailable)
        && Objects.equals(maxUnavailable, that.maxUnavailable);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, nodes, updated, unavailable, maxUnavailable);
  }
}
