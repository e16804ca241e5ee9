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
 * change cause in the {@code kubernetes.io/change-cause} annotation, and the pod template in {@code
 * .data.spec.template}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Revision(
    long revision,
    String hash,
    String name,
    String changeCause,
    String created,
    PodTemplateSpec template) {

  static Revision of(ControllerRevision controllerRevision) {
    Map<String, String> annotations = controllerRevision.getMetadata().getAnnotations();
    return new Revision(
        RevisionPlanner.revisionOf(controllerRevision),
        RevisionPlanner.hashOf(controllerRevision),
        controllerRevision.getMetadata().getName(),
        annotations == null ? null : annotations.get(RevisionPlanner.CHANGE_CAUSE),
        controllerRevision.getMetadata().getCreationTimestamp(),
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

  Revision withoutTemplate() {
    return new Revision(revision, hash, name, changeCause, created, null);
  }
}
