package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The wait at the end of a rollout step: for a promote, or for a soak duration. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StepPause {

  @JsonPropertyDescription(
      "How long the step soaks before it promotes itself, as a duration such as 90s, 10m or"
          + " 1h30m. Absent: the step waits for a manual promote.")
  @Size(max = DurationRules.MAX_LENGTH)
  @ValidationRule(value = DurationRules.WELL_FORMED, message = DurationRules.MESSAGE)
  private String duration;

  public StepPause() {}

  public StepPause(String duration) {
    this.duration = duration;
  }

  public String getDuration() {
    return duration;
  }

  public void setDuration(String duration) {
    this.duration = duration;
  }
}
