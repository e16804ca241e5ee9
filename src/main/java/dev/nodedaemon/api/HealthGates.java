package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * The checks every pod of a rollout's new revision must pass, in every step and batch. A node whose
 * pod fails one is a failed node; when failed nodes reach {@code maxFailedNodes} the rollout stops,
 * its revision is marked bad, and {@code onFailure} decides what follows. All on by default.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthGates {

  @JsonPropertyDescription("Set to false to turn every health gate off. Defaults to true.")
  private Boolean enabled;

  @Min(0)
  @JsonPropertyDescription(
      "A pod whose containers restarted more than this many times since its update fails."
          + " Defaults to 2.")
  private Integer maxRestarts;

  @JsonPropertyDescription(
      "A pod not Ready this long after its update fails. A duration such as 5m. Defaults to 5m.")
  @Size(max = DurationRules.MAX_LENGTH)
  @ValidationRule(value = DurationRules.WELL_FORMED, message = DurationRules.MESSAGE)
  private String readyTimeout;

  @JsonPropertyDescription(
      "A node that turns NotReady within this long after its pod was updated fails: the new pod"
          + " may have broken the node. A duration. Defaults to 5m.")
  @Size(max = DurationRules.MAX_LENGTH)
  @ValidationRule(value = DurationRules.WELL_FORMED, message = DurationRules.MESSAGE)
  private String nodeNotReadyWindow;

  @JsonPropertyDescription(
      "How many failed nodes stop the rollout: a count, or a percentage of the nodes the rollout"
          + " targets (rounded up). Defaults to 1.")
  @ValidationRule(value = IntOrPercentRules.POSITIVE, message = IntOrPercentRules.POSITIVE_MESSAGE)
  private IntOrString maxFailedNodes;

  @JsonPropertyDescription(
      "What a failed gate does: Rollback (default) returns every node that left it to the last"
          + " revision that completed; Pause holds the rollout where it is. Either way the revision"
          + " is marked bad and is not rolled out again until the template changes or spec.retry.")
  private GateFailureAction onFailure;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getMaxRestarts() {
    return maxRestarts;
  }

  public void setMaxRestarts(Integer maxRestarts) {
    this.maxRestarts = maxRestarts;
  }

  public String getReadyTimeout() {
    return readyTimeout;
  }

  public void setReadyTimeout(String readyTimeout) {
    this.readyTimeout = readyTimeout;
  }

  public String getNodeNotReadyWindow() {
    return nodeNotReadyWindow;
  }

  public void setNodeNotReadyWindow(String nodeNotReadyWindow) {
    this.nodeNotReadyWindow = nodeNotReadyWindow;
  }

  public IntOrString getMaxFailedNodes() {
    return maxFailedNodes;
  }

  public void setMaxFailedNodes(IntOrString maxFailedNodes) {
    this.maxFailedNodes = maxFailedNodes;
  }

  public GateFailureAction getOnFailure() {
    return onFailure;
  }

  public void setOnFailure(GateFailureAction onFailure) {
    this.onFailure = onFailure;
  }
}
