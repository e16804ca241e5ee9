package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

/**
 * A request to the operator to restore an earlier template. The operator copies that revision's
 * template into spec.template, removes this request, and records the rollback in
 * status.lastRollback and an event.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RollbackRequest {

  @Min(0)
  @JsonPropertyDescription(
      "The revision number to restore, as listed by the NodeDaemon's ControllerRevisions. 0 or"
          + " absent means the revision before the current one.")
  private Long revision;

  public RollbackRequest() {}

  public RollbackRequest(Long revision) {
    this.revision = revision;
  }

  public Long getRevision() {
    return revision;
  }

  public void setRevision(Long revision) {
    this.revision = revision;
  }
}
