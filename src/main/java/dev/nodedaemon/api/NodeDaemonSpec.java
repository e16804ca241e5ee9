package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

/**
 * What a NodeDaemon runs and how it rolls. Field names and meanings follow apps/v1 DaemonSetSpec.
 *
 * <p>The validation rules run in the API server at admission, so a NodeDaemon that cannot work is
 * refused by {@code kubectl apply} with the message given here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = SelectorRules.MATCH_LABELS_HOLD,
    message = "selector does not match template labels",
    fieldPath = ".selector",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = SelectorRules.MATCH_EXPRESSIONS_HOLD,
    message = "selector does not match template labels",
    fieldPath = ".selector",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "!has(self.template.spec) || !has(self.template.spec.restartPolicy)"
            + " || self.template.spec.restartPolicy == 'Always'",
    message =
        "template.spec.restartPolicy must be Always: a daemon pod runs until NodeDaemon replaces it",
    fieldPath = ".template.spec.restartPolicy",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "has(self.template.spec) && has(self.template.spec.containers)"
            + " && size(self.template.spec.containers) > 0",
    message = "template.spec.containers must name at least one container",
    fieldPath = ".template.spec.containers",
    reason = "FieldValueRequired")
public class NodeDaemonSpec {

  @Required
  @JsonPropertyDescription(
      "Label query over the pods this NodeDaemon manages. It must match the template's labels"
          + " and cannot change after creation.")
  @ValidationRule(value = "self == oldSelf", message = "selector is immutable")
  @ValidationRule(
      value =
          "(has(self.matchLabels) && size(self.matchLabels) > 0)"
              + " || (has(self.matchExpressions) && size(self.matchExpressions) > 0)",
      message = "selector must not be empty: it would select every pod in the namespace",
      reason = "FieldValueRequired")
  private PodSelector selector;

  @Required
  @JsonPropertyDescription(
      "The pod run on every eligible node. Its labels must match the selector; restartPolicy"
          + " must be Always.")
  private PodTemplateSpec template;

  @JsonPropertyDescription("How pods are replaced when the template changes.")
  private UpdateStrategy updateStrategy;

  @JsonPropertyDescription(
      "While true the rollout stands still: no old pod is replaced. Nodes that join still get a"
          + " pod, nodes that leave lose theirs, and failed pods are still replaced.")
  private Boolean paused;

  @Min(0)
  @JsonPropertyDescription(
      "Seconds a new pod must be ready, without any container crashing, before it counts as"
          + " available. Defaults to 0.")
  private Integer minReadySeconds;

  @Min(0)
  @JsonPropertyDescription(
      "How many old revisions to keep for rollback. Defaults to 10. A revision a live pod still"
          + " uses is never pruned.")
  private Integer revisionHistoryLimit;

  @Min(1)
  @JsonPropertyDescription(
      "Seconds a rollout may go without progress (one more node updated and available) before"
          + " it is marked Failed, naming the nodes that block it. Defaults to 600.")
  private Integer progressDeadlineSeconds;

  @JsonPropertyDescription(
      "What the operator does when a rollout fails: Halt (default) leaves it where it stopped;"
          + " Rollback restores the revision the fleet ran before it.")
  private FailurePolicy failurePolicy;

  @JsonPropertyDescription(
      "Set to ask the operator to roll back: it restores that revision's template into"
          + " spec.template, removes this field and records the rollback in status.lastRollback.")
  private RollbackRequest rollbackTo;

  @JsonPropertyDescription(
      "The checks every updated pod must pass, in every step and batch of a rollout. On by"
          + " default.")
  private HealthGates healthGates;

  @JsonPropertyDescription(
      "While true the operator makes no pod write at all for this NodeDaemon: no create, delete"
          + " or in-place update, not even on a node that joins (spec.paused still serves those)."
          + " For incident response.")
  private Boolean frozen;

  @JsonPropertyDescription(
      "Set to true to roll out again the current template's revision after its health gates"
          + " failed and marked it bad. The operator clears the mark and removes this field.")
  private Boolean retry;

  @JsonPropertyDescription(
      "Set to move a staged rollout past a pause or soak. The operator carries it out and"
          + " removes this field.")
  private PromoteRequest promote;

  public HealthGates getHealthGates() {
    return healthGates;
  }

  public void setHealthGates(HealthGates healthGates) {
    this.healthGates = healthGates;
  }

  public Boolean getFrozen() {
    return frozen;
  }

  public void setFrozen(Boolean frozen) {
    this.frozen = frozen;
  }

  public Boolean getRetry() {
    return retry;
  }

  public void setRetry(Boolean retry) {
    this.retry = retry;
  }

  public PromoteRequest getPromote() {
    return promote;
  }

  public void setPromote(PromoteRequest promote) {
    this.promote = promote;
  }

  public Boolean getPaused() {
    return paused;
  }

  public void setPaused(Boolean paused) {
    this.paused = paused;
  }

  public PodSelector getSelector() {
    return selector;
  }

  public void setSelector(PodSelector selector) {
    this.selector = selector;
  }

  public PodTemplateSpec getTemplate() {
    return template;
  }

  public void setTemplate(PodTemplateSpec template) {
    this.template = template;
  }

  public UpdateStrategy getUpdateStrategy() {
    return updateStrategy;
  }

  public void setUpdateStrategy(UpdateStrategy updateStrategy) {
    this.updateStrategy = updateStrategy;
  }

  public Integer getMinReadySeconds() {
    return minReadySeconds;
  }

  public void setMinReadySeconds(Integer minReadySeconds) {
    this.minReadySeconds = minReadySeconds;
  }

  public Integer getRevisionHistoryLimit() {
    return revisionHistoryLimit;
  }

  public void setRevisionHistoryLimit(Integer revisionHistoryLimit) {
    this.revisionHistoryLimit = revisionHistoryLimit;
  }

  public Integer getProgressDeadlineSeconds() {
    return progressDeadlineSeconds;
  }

  public void setProgressDeadlineSeconds(Integer progressDeadlineSeconds) {
    this.progressDeadlineSeconds = progressDeadlineSeconds;
  }

  public FailurePolicy getFailurePolicy() {
    return failurePolicy;
  }

  public void setFailurePolicy(FailurePolicy failurePolicy) {
    this.failurePolicy = failurePolicy;
  }

  public RollbackRequest getRollbackTo() {
    return rollbackTo;
  }

  public void setRollbackTo(RollbackRequest rollbackTo) {
    this.rollbackTo = rollbackTo;
  }
}
