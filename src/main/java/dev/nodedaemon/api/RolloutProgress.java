package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The operator's memory of the current rollout, kept in status so that the progress deadline, the
 * step and the health gates' verdict survive an operator restart. Times are the operator's clock,
 * never a node's.
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

  @JsonPropertyDescription(
      "Nodes this rollout should reach: those that should run the pod, less those held back by partition, the update node selector, the last step, or a NotReady node the rollout skips.")
  private Integer targetNodes;

  @JsonPropertyDescription("The current step of a staged rollout, from 1; absent without steps.")
  private Integer step;

  @JsonPropertyDescription("How many steps the rollout has.")
  private Integer stepCount;

  @JsonPropertyDescription("How many nodes the current step exposes to the new revision.")
  private Integer stepNodes;

  @JsonPropertyDescription("Rolling, Soaking or WaitingForPromote.")
  private StepState stepState;

  @JsonPropertyDescription(
      "When the current step entered its state: the soak started at this time.")
  private String stepStateTime;

  @JsonPropertyDescription(
      "True once a full promote skipped every remaining pause of this rollout.")
  private Boolean promotedFull;

  @JsonPropertyDescription("Nodes whose updated pod failed a health gate in this rollout.")
  private Integer failedNodes;

  @JsonPropertyDescription(
      "How many failed nodes stop the rollout (healthGates.maxFailedNodes, resolved).")
  private Integer failedNodesThreshold;

  @JsonPropertyDescription("The failed nodes and what failed (at most 20).")
  private java.util.List<GateFailure> gateFailures;

  @JsonPropertyDescription(
      "The group the rollout is updating (rollingUpdate.order): a priority selector and/or a"
          + " topology domain, such as 'canary=true' or 'topology.kubernetes.io/zone=b'; absent"
          + " without an order or once every group is done.")
  private String group;

  @JsonPropertyDescription(
      "How many groups of the rollout order are done: every node of them runs the update"
          + " revision, available. The current group is the next one.")
  private Integer groupsCompleted;

  @JsonPropertyDescription("How many groups the rollout walks, in order.")
  private Integer groupCount;

  public RolloutProgress() {}

  public String getGroup() {
    return group;
  }

  public void setGroup(String group) {
    this.group = group;
  }

  public Integer getGroupsCompleted() {
    return groupsCompleted;
  }

  public void setGroupsCompleted(Integer groupsCompleted) {
    this.groupsCompleted = groupsCompleted;
  }

  public Integer getGroupCount() {
    return groupCount;
  }

  public void setGroupCount(Integer groupCount) {
    this.groupCount = groupCount;
  }

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

  public Integer getTargetNodes() {
    return targetNodes;
  }

  public void setTargetNodes(Integer targetNodes) {
    this.targetNodes = targetNodes;
  }

  public Integer getStep() {
    return step;
  }

  public void setStep(Integer step) {
    this.step = step;
  }

  public Integer getStepCount() {
    return stepCount;
  }

  public void setStepCount(Integer stepCount) {
    this.stepCount = stepCount;
  }

  public Integer getStepNodes() {
    return stepNodes;
  }

  public void setStepNodes(Integer stepNodes) {
    this.stepNodes = stepNodes;
  }

  public StepState getStepState() {
    return stepState;
  }

  public void setStepState(StepState stepState) {
    this.stepState = stepState;
  }

  public String getStepStateTime() {
    return stepStateTime;
  }

  public void setStepStateTime(String stepStateTime) {
    this.stepStateTime = stepStateTime;
  }

  public Boolean getPromotedFull() {
    return promotedFull;
  }

  public void setPromotedFull(Boolean promotedFull) {
    this.promotedFull = promotedFull;
  }

  public Integer getFailedNodes() {
    return failedNodes;
  }

  public void setFailedNodes(Integer failedNodes) {
    this.failedNodes = failedNodes;
  }

  public Integer getFailedNodesThreshold() {
    return failedNodesThreshold;
  }

  public void setFailedNodesThreshold(Integer failedNodesThreshold) {
    this.failedNodesThreshold = failedNodesThreshold;
  }

  public java.util.List<GateFailure> getGateFailures() {
    return gateFailures;
  }

  public void setGateFailures(java.util.List<GateFailure> gateFailures) {
    this.gateFailures = gateFailures;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutProgress that
        && Objects.equals(revision, that.revision)
        && Objects.equals(startTime, that.startTime)
        && Objects.equals(lastProgressTime, that.lastProgressTime)
        && Objects.equals(progressMark, that.progressMark)
        && Objects.equals(rollback, that.rollback)
        && Objects.equals(targetNodes, that.targetNodes)
        && Objects.equals(step, that.step)
        && Objects.equals(stepCount, that.stepCount)
        && Objects.equals(stepNodes, that.stepNodes)
        && Objects.equals(stepState, that.stepState)
        && Objects.equals(stepStateTime, that.stepStateTime)
        && Objects.equals(promotedFull, that.promotedFull)
        && Objects.equals(failedNodes, that.failedNodes)
        && Objects.equals(failedNodesThreshold, that.failedNodesThreshold)
        && Objects.equals(gateFailures, that.gateFailures)
        && Objects.equals(group, that.group)
        && Objects.equals(groupsCompleted, that.groupsCompleted)
        && Objects.equals(groupCount, that.groupCount);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        revision,
        startTime,
        lastProgressTime,
        progressMark,
        rollback,
        targetNodes,
        step,
        stepCount,
        stepNodes,
        stepState,
        stepStateTime,
        promotedFull,
        failedNodes,
        failedNodesThreshold,
        gateFailures,
        group,
        groupsCompleted,
        groupCount);
  }
}
