package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A node whose pod holds the rollout back, and why. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BlockingNode {

  @JsonPropertyDescription("The node's name.")
  private String node;

  @JsonPropertyDescription(
      "Why: Unschedulable, CrashLoopBackOff, ImagePullBackOff, ErrImagePull, OOMKilled,"
          + " NotReady, PodFailed, PodMissing or another container waiting reason.")
  private String reason;

  @JsonPropertyDescription("Details from the pod, such as the scheduler's or kubelet's message.")
  private String message;

  public BlockingNode() {}

  public BlockingNode(String node, String reason, String message) {
    this.node = node;
    this.reason = reason;
    this.message = message;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockingNode that
        && Objects.equals(node, that.node)
        && Objects.equals(reason, that.reason)
        && Objects.equals(message, that.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(node, reason, message);
  }
}
