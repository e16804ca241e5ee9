package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The last rollback the operator performed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RollbackRecord {

  @JsonPropertyDescription("The revision number the template had before the rollback.")
  private Long fromRevision;

  @JsonPropertyDescription("The revision number whose template was restored.")
  private Long toRevision;

  @JsonPropertyDescription("The restored revision's hash; it becomes the update revision.")
  private String revisionHash;

  @JsonPropertyDescription(
      "Requested (spec.rollbackTo) or ProgressDeadlineExceeded (failurePolicy Rollback).")
  private String reason;

  @JsonPropertyDescription("When the operator performed it.")
  private String time;

  public RollbackRecord() {}

  public RollbackRecord(
      Long fromRevision, Long toRevision, String revisionHash, String reason, String time) {
    this.fromRevision = fromRevision;
    this.toRevision = toRevision;
    this.revisionHash = revisionHash;
    this.reason = reason;
    this.time = time;
  }

  public Long getFromRevision() {
    return fromRevision;
  }

  public void setFromRevision(Long fromRevision) {
    this.fromRevision = fromRevision;
  }

  public Long getToRevision() {
    return toRevision;
  }

  public void setToRevision(Long toRevision) {
    this.toRevision = toRevision;
  }

  public String getRevisionHash() {
    return revisionHash;
  }

  public void setRevisionHash(String revisionHash) {
    this.revisionHash = revisionHash;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RollbackRecord that
        && Objects.equals(fromRevision, that.fromRevision)
        && Objects.equals(toRevision, that.toRevision)
        && Objects.equals(revisionHash, that.revisionHash)
        && Objects.equals(reason, that.reason)
        && Objects.equals(time, that.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(fromRevision, toRevision, revisionHash, reason, time);
  }
}
