package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * The rolling-update budget. Percentages are of the nodes that should run the pod, rounded up, as
 * the built-in DaemonSet computes them. Exactly one of maxUnavailable and maxSurge is non-zero;
 * maxUnavailable defaults to 1, or to 0 when maxSurge is set non-zero.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!(has(self.maxUnavailable) && has(self.maxSurge)"
            + " && !(type(self.maxUnavailable) == int ? self.maxUnavailable == 0"
            + " : self.maxUnavailable == '0%')"
            + " && !(type(self.maxSurge) == int ? self.maxSurge == 0 : self.maxSurge == '0%'))",
    message = "maxUnavailable and maxSurge cannot both be non-zero: set one of them to 0")
@ValidationRule(
    value =
        "!(has(self.maxUnavailable)"
            + " && (type(self.maxUnavailable) == int ? self.maxUnavailable == 0"
            + " : self.maxUnavailable == '0%')"
            + " && (!has(self.maxSurge)"
            + " || (type(self.maxSurge) == int ? self.maxSurge == 0 : self.maxSurge == '0%')))",
    message = "maxUnavailable and maxSurge cannot both be 0: the rollout could never make progress")
@ValidationRule(value = StepRules.INCREASING, message = StepRules.INCREASING_MESSAGE)
@ValidationRule(
    value =
        "!has(self.maxUnavailablePerDomain) || (has(self.order) && has(self.order.topologyKey))",
    message = "maxUnavailablePerDomain needs order.topologyKey: it names the domains")
public class RollingUpdate {

  @JsonPropertyDescription(
      "Most pods that may be unavailable during the update: an integer or a percentage such as"
          + " 10%. Defaults to 1, or 0 when maxSurge is non-zero.")
  @ValidationRule(value = IntOrPercentRules.WELL_FORMED, message = IntOrPercentRules.MESSAGE)
  private IntOrString maxUnavailable;

  @JsonPropertyDescription(
      "Most nodes that may run an extra, updated pod beside the old one during the update: an"
          + " integer or a percentage. Defaults to 0.")
  @ValidationRule(value = IntOrPercentRules.WELL_FORMED, message = IntOrPercentRules.MESSAGE)
  private IntOrString maxSurge;

  @JsonPropertyDescription(
      "How many of the nodes that should run the pod stay on their old revision: an integer or a"
          + " percentage (rounded up). Lowering it step by step is a staged rollout. Defaults to"
          + " 0.")
  @ValidationRule(value = IntOrPercentRules.WELL_FORMED, message = IntOrPercentRules.MESSAGE)
  private IntOrString partition;

  @JsonPropertyDescription(
      "Only nodes with these labels are updated; the others keep their old revision. Empty"
          + " means every node.")
  private java.util.Map<String, String> nodeSelector;

  @JsonPropertyDescription(
      "Recreate (default) deletes the old pod and creates a new one. InPlaceIfPossible patches"
          + " the running pod's images when only images changed, so the kubelet restarts its"
          + " containers; any other change is a recreate.")
  private PodUpdatePolicy podUpdatePolicy;

  @JsonPropertyDescription(
      "When true, nodes whose old pod is already unavailable count against maxUnavailable. The"
          + " built-in DaemonSet replaces those for free, which lets repeated bad updates take"
          + " every pod down. Defaults to false (the built-in behaviour).")
  private Boolean strict;

  @Size(max = StepRules.MAX_STEPS)
  @JsonPropertyDescription(
      "A staged rollout: each step exposes the new revision to more nodes (a count or a"
          + " percentage), then waits for a promote or soaks for a duration. The health gates"
          + " watch every step. Without steps the rollout walks the fleet in maxUnavailable or"
          + " maxSurge batches, gated the same way. A last step below 100% leaves the rest of"
          + " the fleet on the old revision until the steps change.")
  private java.util.List<RolloutStep> steps;

  @JsonPropertyDescription(
      "Nodes that are NotReady before the update reaches them: Skip (default) leaves them out"
          + " until they are Ready again, so they neither use the budget nor hold the rollout"
          + " back; Update replaces their pods like the built-in DaemonSet.")
  private NotReadyNodePolicy notReadyNodes;

  @JsonPropertyDescription(
      "The order the update walks the nodes in: priority groups first (such as a canary pool),"
          + " then topology domains one by one (such as zones). Without it, nodes go in name"
          + " order. Steps and partition count nodes in this order.")
  private RolloutOrder order;

  @JsonPropertyDescription(
      "Most nodes of one topology domain (order.topologyKey) that may be unavailable at once: an"
          + " integer or a percentage of that domain's nodes, rounded up. It applies on top of"
          + " maxUnavailable; the stricter wins. With maxSurge it bounds the nodes of a domain"
          + " whose new pod is not yet available. With strict, nodes whose pod is already"
          + " unavailable count too, so a degraded domain gets no new disruption.")
  @ValidationRule(value = IntOrPercentRules.POSITIVE, message = IntOrPercentRules.POSITIVE_MESSAGE)
  private IntOrString maxUnavailablePerDomain;

  @JsonPropertyDescription(
      "Image pre-pull, off when absent: the next nodes of the rollout pull the new revision's"
          + " images (a pre-pull pod with a pause container and image volumes) before their pods"
          + " are replaced; a pull that fails is a health gate failure, before any working pod"
          + " of that node is touched.")
  private PrePull prePull;

  public PrePull getPrePull() {
    return prePull;
  }

  public void setPrePull(PrePull prePull) {
    this.prePull = prePull;
  }

  public RolloutOrder getOrder() {
    return order;
  }

  public void setOrder(RolloutOrder order) {
    this.order = order;
  }

  public IntOrString getMaxUnavailablePerDomain() {
    return maxUnavailablePerDomain;
  }

  public void setMaxUnavailablePerDomain(IntOrString maxUnavailablePerDomain) {
    this.maxUnavailablePerDomain = maxUnavailablePerDomain;
  }

  public java.util.List<RolloutStep> getSteps() {
    return steps;
  }

  public void setSteps(java.util.List<RolloutStep> steps) {
    this.steps = steps;
  }

  public NotReadyNodePolicy getNotReadyNodes() {
    return notReadyNodes;
  }

  public void setNotReadyNodes(NotReadyNodePolicy notReadyNodes) {
    this.notReadyNodes = notReadyNodes;
  }

  public IntOrString getPartition() {
    return partition;
  }

  public void setPartition(IntOrString partition) {
    this.partition = partition;
  }

  public java.util.Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(java.util.Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public IntOrString getMaxUnavailable() {
    return maxUnavailable;
  }

  public void setMaxUnavailable(IntOrString maxUnavailable) {
    this.maxUnavailable = maxUnavailable;
  }

  public IntOrString getMaxSurge() {
    return maxSurge;
  }

  public void setMaxSurge(IntOrString maxSurge) {
    this.maxSurge = maxSurge;
  }

  public PodUpdatePolicy getPodUpdatePolicy() {
    return podUpdatePolicy;
  }

  public void setPodUpdatePolicy(PodUpdatePolicy podUpdatePolicy) {
    this.podUpdatePolicy = podUpdatePolicy;
  }

  public Boolean getStrict() {
    return strict;
  }

  public void setStrict(Boolean strict) {
    this.strict = strict;
  }
}
