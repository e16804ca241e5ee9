package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A node whose updated pod failed a health gate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GateFailure {

  @JsonPropertyDescription("The node.")
  private String node;

  @JsonPropertyDescription("The pod that failed the gate.")
  private String pod;

  @JsonPropertyDescription(
      "Which gate: Restarts, a waiting reason such as CrashLoopBackOff or ImagePullBackOff,"
          + " OOMKilled, NotReadyInTime or NodeNotReady.")
  private String reason;

  @JsonPropertyDescription("What was seen.")
  private String message;

  @JsonPropertyDescription("When the operator saw it, on its own clock.")
  private String time;

  public GateFailure() {}

  public GateFailure(String node, String pod, String reason, String message, String time) {
    this.node = node;
    this.pod = pod;
    this.reason = reason;
    this.message = message;
    this.time = time;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
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

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GateFailure that
        && Objects.equals(node, that.node)
        && Objects.equals(pod, that.pod)
        && Objects.equals(reason, that.reason)
        && Objects.equals(message, that.message)
        && Objects.equals(time, that.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(node, pod, reason, message, time);
  }
}
