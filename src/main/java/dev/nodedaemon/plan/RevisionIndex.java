package dev.nodedaemon.plan;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Map;
import java.util.Optional;

/**
 * The NodeDaemon's revisions as the planner needs them: the update revision's number, and for each
 * kept revision hash its number and template (to tell whether a pod can be updated in place).
 */
public record RevisionIndex(
    long updateNumber, Map<String, Long> numbers, Map<String, PodTemplateSpec> templates) {

  public static final RevisionIndex EMPTY = new RevisionIndex(0, Map.of(), Map.of());

  public Optional<Long> numberOf(String hash) {
    return Optional.ofNullable(hash == null ? null : numbers.get(hash));
  }

  public Optional<PodTemplateSpec> templateOf(String hash) {
    return Optional.ofNullable(hash == null ? null : templates.get(hash));
  }
}
