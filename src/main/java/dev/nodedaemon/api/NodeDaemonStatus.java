package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the operator last observed. The counters have apps/v1 DaemonSetStatus' names and meanings;
 * the revisions and conditions are NodeDaemon's own.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeDaemonStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Nodes that should run the daemon pod.")
  private Integer desiredNumberScheduled;

  @JsonPropertyDescription("Nodes that run at least one daemon pod and should.")
  private Integer currentNumberScheduled;

  @JsonPropertyDescription("Nodes that run a daemon pod but should not.")
  private Integer numberMisscheduled;

  @JsonPropertyDescription("Nodes whose daemon pod is ready.")
  private Integer numberReady;

  @JsonPropertyDescription("Nodes whose daemon pod has been ready for at least minReadySeconds.")
  private Integer numberAvailable;

  @JsonPropertyDescription("Nodes that should run the daemon pod and have none available.")
  private Integer numberUnavailable;

  @JsonPropertyDescription("Nodes that run the pod of the update revision.")
  private Integer updatedNumberScheduled;

  @JsonPropertyDescription("Bumped on a revision-name hash collision, to make a new name.")
  private Integer collisionCount;

  @JsonPropertyDescription("The revision the fleet ran before the current rollout.")
  private String currentRevision;

  @JsonPropertyDescription("The revision the current template makes.")
  private String updateRevision;

  @JsonPropertyDescription("Nodes that run the pod of the update revision, available.")
  private Integer updatedNumberAvailable;

  @JsonPropertyDescription(
      "Where the rollout stands: Progressing, Paused, Complete, Failed or RollingBack.")
  private RolloutPhase phase;

  @JsonPropertyDescription(
      "The current rollout's start and last progress, on the operator's clock.")
  private RolloutProgress rollout;

  @JsonPropertyDescription(
      "Nodes that hold the rollout back, and why; at most 20, the rest are counted in the"
          + " Progressing condition's message.")
  private List<BlockingNode> blockingNodes;

  @JsonPropertyDescription("The last rollback the operator performed.")
  private RollbackRecord lastRollback;

  @JsonPropertyDescription(
      "Per topology domain (rollingUpdate.order.topologyKey), in rollout order: nodes, updated"
          + " and unavailable counts; at most 100 domains.")
  private List<DomainStatus> domains;

  @JsonPropertyDescription("The latest observations of the NodeDaemon's state.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Integer getDesiredNumberScheduled() {
    return desiredNumberScheduled;
  }

  public void setDesiredNumberScheduled(Integer desiredNumberScheduled) {
    this.desiredNumberScheduled = desiredNumberScheduled;
  }

  public Integer getCurrentNumberScheduled() {
    return currentNumberScheduled;
  }

  public void setCurrentNumberScheduled(Integer currentNumberScheduled) {
    this.currentNumberScheduled = currentNumberScheduled;
  }

  public Integer getNumberMisscheduled() {
    return numberMisscheduled;
  }

  public void setNumberMisscheduled(Integer numberMisscheduled) {
    this.numberMisscheduled = numberMisscheduled;
  }

  public Integer getNumberReady() {
    return numberReady;
  }

  public void setNumberReady(Integer numberReady) {
    this.numberReady = numberReady;
  }

  public Integer getNumberAvailable() {
    return numberAvailable;
  }

  public void setNumberAvailable(Integer numberAvailable) {
    this.numberAvailable = numberAvailable;
  }

  public Integer getNumberUnavailable() {
    return numberUnavailable;
  }

  public void setNumberUnavailable(Integer numberUnavailable) {
    this.numberUnavailable = numberUnavailable;
  }

  public Integer getUpdatedNumberScheduled() {
    return updatedNumberScheduled;
  }

  public void setUpdatedNumberScheduled(Integer updatedNumberScheduled) {
    this.updatedNumberScheduled = updatedNumberScheduled;
  }

  public Integer getCollisionCount() {
    return collisionCount;
  }

  public void setCollisionCount(Integer collisionCount) {
    this.collisionCount = collisionCount;
  }

  public String getCurrentRevision() {
    return currentRevision;
  }

  public void setCurrentRevision(String currentRevision) {
    this.currentRevision = currentRevision;
  }

  public String getUpdateRevision() {
    return updateRevision;
  }

  public void setUpdateRevision(String updateRevision) {
    this.updateRevision = updateRevision;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Integer getUpdatedNumberAvailable() {
    return updatedNumberAvailable;
  }

  public void setUpdatedNumberAvailable(Integer updatedNumberAvailable) {
    this.updatedNumberAvailable = updatedNumberAvailable;
  }

  public RolloutPhase getPhase() {
    return phase;
  }

  public void setPhase(RolloutPhase phase) {
    this.phase = phase;
  }

  public RolloutProgress getRollout() {
    return rollout;
  }

  public void setRollout(RolloutProgress rollout) {
    this.rollout = rollout;
  }

  public List<BlockingNode> getBlockingNodes() {
    return blockingNodes;
  }

  public void setBlockingNodes(List<BlockingNode> blockingNodes) {
    this.blockingNodes = blockingNodes;
  }

  public RollbackRecord getLastRollback() {
    return lastRollback;
  }

  public void setLastRollback(RollbackRecord lastRollback) {
    this.lastRollback = lastRollback;
  }

  public List<DomainStatus> getDomains() {
    return domains;
  }

  public void setDomains(List<DomainStatus> domains) {
    this.domains = domains;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof NodeDaemonStatus that)) {
      return false;
    }
    return Objects.equals(observedGeneration, that.observedGeneration)
        && Objects.equals(desiredNumberScheduled, that.desiredNumberScheduled)
        && Objects.equals(currentNumberScheduled, that.currentNumberScheduled)
        && Objects.equals(numberMisscheduled, that.numberMisscheduled)
        && Objects.equals(numberReady, that.numberReady)
        && Objects.equals(numberAvailable, that.numberAvailable)
        && Objects.equals(numberUnavailable, that.numberUnavailable)
        && Objects.equals(updatedNumberScheduled, that.updatedNumberScheduled)
        && Objects.equals(collisionCount, that.collisionCount)
        && Objects.equals(currentRevision, that.currentRevision)
        && Objects.equals(updateRevision, that.updateRevision)
        && Objects.equals(updatedNumberAvailable, that.updatedNumberAvailable)
        && phase == that.phase
        && Objects.equals(rollout, that.rollout)
        && Objects.equals(blockingNodes, that.blockingNodes)
        && Objects.equals(lastRollback, that.lastRollback)
        && Objects.equals(domains, that.domains)
        && Objects.equals(conditions, that.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration,
        desiredNumberScheduled,
        currentNumberScheduled,
        numberMisscheduled,
        numberReady,
        numberAvailable,
        numberUnavailable,
        updatedNumberScheduled,
        collisionCount,
        currentRevision,
        updateRevision,
        updatedNumberAvailable,
        phase,
        rollout,
        blockingNodes,
        lastRollback,
        domains,
        conditions);
  }
}
