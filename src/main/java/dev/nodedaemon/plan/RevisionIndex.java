package dev.nodedaemon.plan;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Map;
import java.util.Optional;

/**
 * The NodeDaemon's revisions as the planner needs them: the update revision's number, and for each
 * kept revision hash its number, its template (to tell whether a pod can be updated in place) and
 * whether its health gates failed.
 */
public record RevisionIndex(
    long updateNumber,
    Map<String, Long> numbers,
    Map<String, PodTemplateSpec> templates,
    Map<String, String> badReasons) {

  public static final RevisionIndex EMPTY = new RevisionIndex(0, Map.of(), Map.of(), Map.of());

  public RevisionIndex(
      long updateNumber, Map<String, Long> numbers, Map<String, PodTemplateSpec> templates) {
    this(updateNumber, numbers, templates, Map.of());
  }

  /** Why the revision was marked bad (its health gates failed), if it was. */
  public Optional<String> badReason(String hash) {
    return Optional.ofNullable(hash == null ? null : badReasons.get(hash));
  }

  public Optional<Long> numberOf(String hash) {
    return Optional.ofNullable(hash == null ? null : numbers.get(hash));
  }

  public Optional<PodTemplateSpec> templateOf(String hash) {
    return Optional.ofNullable(hash == null ? null : templates.get(hash));
  }
}
