package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The update strategy, shaped like apps/v1 DaemonSetUpdateStrategy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpdateStrategy {

  @JsonPropertyDescription("RollingUpdate (default) or OnDelete.")
  private UpdateStrategyType type;

  @JsonPropertyDescription("Parameters of a RollingUpdate.")
  private RollingUpdate rollingUpdate;

  public UpdateStrategyType getType() {
    return type;
  }

  public void setType(UpdateStrategyType type) {
    this.type = type;
  }

  public RollingUpdate getRollingUpdate() {
    return rollingUpdate;
  }

  public void setRollingUpdate(RollingUpdate rollingUpdate) {
    this.rollingUpdate = rollingUpdate;
  }

  @JsonIgnore
  public UpdateStrategyType effectiveType() {
    return type == null ? UpdateStrategyType.RollingUpdate : type;
  }
}
