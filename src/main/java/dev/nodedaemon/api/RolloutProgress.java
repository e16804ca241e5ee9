package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The operator's memory of the current rollout, kept in status so that the progress deadline
 * survives an operator restart. Times are the operator's clock, never a node's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutProgress {

  @JsonPropertyDescription("The update revision this rollout moves to.")
  private String revision;

  @JsonPropertyDescription("When the operator first saw this update revision.")
  private String startTime;

  @JsonPropertyDescription(
      "When the progress score last grew (a node updated, or its updated pod available).")
  private String lastProgressTime;

  @JsonPropertyDescription(
      "The progress score at lastProgressTime: updated nodes plus updated, available nodes.")
  private Integer progressMark;

  @JsonPropertyDescription("True when this rollout restores an earlier revision (a rollback).")
  private Boolean rollback;

  public RolloutProgress() {}

  public RolloutProgress(
      String revision,
      String startTime,
      String lastProgressTime,
      Integer progressMark,
      Boolean rollback) {
    this.revision = revision;
    this.startTime = startTime;
    this.lastProgressTime = lastProgressTime;
    this.progressMark = progressMark;
    this.rollback = rollback;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getLastProgressTime() {
    return lastProgressTime;
  }

  public void setLastProgressTime(String lastProgressTime) {
    this.lastProgressTime = lastProgressTime;
  }

  public Integer getProgressMark() {
    return progressMark;
  }

  public void setProgressMark(Integer progressMark) {
    this.progressMark = progressMark;
  }

  public Boolean getRollback() {
    return rollback;
  }

  public void setRollback(Boolean rollback) {
    this.rollback = rollback;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutProgress that
        && Objects.equals(revision, that.revision)
        && Objects.equals(startTime, that.startTime)
        && Objects.equals(lastProgressTime, that.lastProgressTime)
        && Objects.equals(progressMark, that.progressMark)
        && Objects.equals(rollback, that.rollback);
  }

  @Override
  public int hashCode() {
    return Objects.hash(revision, startTime, lastProgressTime, progressMark, rollback);
  }
}
