package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

/**
 * A request to the operator to move a staged rollout on. The operator carries it out, removes it
 * from the spec and says so in an event. Naming the step makes a promote idempotent: two people
 * promoting step 2 at once move the rollout one step, not two.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PromoteRequest {

  @Min(1)
  @JsonPropertyDescription(
      "Promote past this step (1-based, as status.rollout.step shows it): ends its pause or soak."
          + " Ignored when the rollout is at another step.")
  private Integer fromStep;

  @JsonPropertyDescription(
      "Promote past every remaining pause and soak of the current rollout. The health gates still"
          + " watch every node.")
  private Boolean full;

  public PromoteRequest() {}

  public PromoteRequest(Integer fromStep, Boolean full) {
    this.fromStep = fromStep;
    this.full = full;
  }

  public Integer getFromStep() {
    return fromStep;
  }

  public void setFromStep(Integer fromStep) {
    this.fromStep = fromStep;
  }

  public Boolean getFull() {
    return full;
  }

  public void setFull(Boolean full) {
    this.full = full;
  }
}
