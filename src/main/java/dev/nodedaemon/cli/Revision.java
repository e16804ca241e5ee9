package dev.nodedaemon.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.nodedaemon.revision.RevisionPlanner;
import dev.nodedaemon.revision.Rollbacks;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One entry of a NodeDaemon's history, read off the ControllerRevision the operator's revision
 * store writes: number in {@code .revision}, hash in the {@code controller-revision-hash} label,
 * change cause in the {@code kubernetes.io/change-cause} annotation, the operator's bad mark (its
 * health gates failed) in the {@code nodedaemon.dev/bad-revision} annotation, and the pod template
 * in {@code .data.spec.template}.
 *
 * @param bad why the operator marked the revision bad; null when it is not
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Revision(
    long revision,
    String hash,
    String name,
    String changeCause,
    String created,
    String bad,
    PodTemplateSpec template) {

  /**
   * The annotation the operator puts on a revision whose health gates failed (the operator's
   * Rollbacks.BAD_REVISION_ANNOTATION); it does not roll that revision out again until spec.retry.
   */
  static final String BAD_REVISION_ANNOTATION = "nodedaemon.dev/bad-revision";

  static Revision of(ControllerRevision controllerRevision) {
    Map<String, String> annotations = controllerRevision.getMetadata().getAnnotations();
    return new Revision(
        RevisionPlanner.revisionOf(controllerRevision),
        RevisionPlanner.hashOf(controllerRevision),
        controllerRevision.getMetadata().getName(),
        annotations == null ? null : annotations.get(RevisionPlanner.CHANGE_CAUSE),
        controllerRevision.getMetadata().getCreationTimestamp(),
        annotations == null ? null : annotations.get(BAD_REVISION_ANNOTATION),
        Rollbacks.templateOf(controllerRevision).orElse(null));
  }

  static List<Revision> sorted(List<ControllerRevision> controllerRevisions) {
    return controllerRevisions.stream()
        .map(Revision::of)
        .sorted(Comparator.comparingLong(Revision::revision))
        .toList();
  }

  static Optional<Revision> number(List<Revision> revisions, long number) {
    return revisions.stream().filter(r -> r.revision() == number).findFirst();
  }

  static Optional<Revision> withHash(List<Revision> revisions, String hash) {
    return revisions.stream().filter(r -> r.hash() != null && r.hash().equals(hash)).findFirst();
  }

  /** "1, 2, 5" — for messages that say which revisions exist. */
  static String numbers(List<Revision> revisions) {
    return revisions.isEmpty()
        ? "none"
        : revisions.stream()
            .map(r -> Long.toString(r.revision()))
            .collect(Collectors.joining(", "));
  }

  /** The revision's number and short hash, as the plugin shows it: {@code 3 (7c6cc41e6b)}. */
  @JsonIgnore
  String label() {
    return revision + " (" + hash + ")";
  }

  @JsonIgnore
  boolean markedBad() {
    return bad != null;
  }

  Revision withoutTemplate() {
    return new Revision(revision, hash, name, changeCause, created, bad, null);
  }
}
