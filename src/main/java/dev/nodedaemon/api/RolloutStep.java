package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * One step of a staged rollout: expose the new revision to {@code nodes} of the nodes that should
 * run the pod, then wait as {@code pause} says before the next step.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutStep {

  @Required
  @JsonPropertyDescription(
      "How many nodes run the new revision once this step is done: a count such as 1, or a"
          + " percentage of the nodes that should run the pod, rounded up, such as 10%.")
  // OpenAPI checks, not CEL: rules on int-or-string items of a list exceed the cost budget.
  @Min(1)
  @Pattern("^(100|[1-9][0-9]?)%$")
  private IntOrString nodes;

  @JsonPropertyDescription(
      "What happens once the step's nodes run the new revision, available and healthy. Absent:"
          + " the next step starts at once. {} (no duration): wait for a promote (kubectl"
          + " nodedaemon promote). {duration: 10m}: soak that long, then promote itself if the"
          + " health gates still pass.")
  private StepPause pause;

  public RolloutStep() {}

  public RolloutStep(IntOrString nodes, StepPause pause) {
    this.nodes = nodes;
    this.pause = pause;
  }

  public IntOrString getNodes() {
    return nodes;
  }

  public void setNodes(IntOrString nodes) {
    this.nodes = nodes;
  }

  public StepPause getPause() {
    return pause;
  }

  public void setPause(StepPause pause) {
    this.pause = pause;
  }
}
