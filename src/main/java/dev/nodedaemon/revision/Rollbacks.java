package dev.nodedaemon.revision;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RollbackRequest;
import dev.nodedaemon.plan.RevisionIndex;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides rollbacks, pure: which revision spec.rollbackTo names (or, for failurePolicy Rollback,
 * the revision the fleet ran before a failed rollout), and what to record. {@link RollbackWriter}
 * carries the decision out in one patch of the NodeDaemon.
 *
 * <p>A rollback never deletes or patches a pod itself: it restores a template, and the rollout
 * engine then moves the pods there with the same budget and deadline as any rollout.
 */
public final class Rollbacks {

  /** Where the last rollback is recorded on the NodeDaemon, for status.lastRollback. */
  public static final String LAST_ROLLBACK_ANNOTATION = "nodedaemon.dev/last-rollback";

  public static final String REQUESTED = "Requested";
  public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
  public static final String HEALTH_GATE_FAILED = "HealthGateFailed";

  /** On a ControllerRevision: why its health gates failed; the operator will not roll it out. */
  public static final String BAD_REVISION_ANNOTATION = "nodedaemon.dev/bad-revision";

  public static final String REVISION_NOT_FOUND = "RevisionNotFound";

  private Rollbacks() {}

  /**
   * @param template the template to restore; empty when the request is refused (the request is
   *     still removed, and the refusal recorded)
   * @param changeCause the restored revision's change-cause, carried back onto the NodeDaemon
   * @param message for the event
   */
  public record Decision(
      Optional<PodTemplateSpec> template,
      Optional<String> changeCause,
      RollbackRecord record,
      String message) {}

  /** The rollback spec.rollbackTo asks for, if it is set. */
  public static Optional<Decision> requested(
      NodeDaemon nodeDaemon, List<ControllerRevision> revisions, String currentHash, Instant now) {
    RollbackRequest request = nodeDaemon.getSpec().getRollbackTo();
    if (request == null) {
      return Optional.empty();
    }
    Long from = numberOf(revisions, currentHash);
    long wanted = request.getRevision() == null ? 0 : request.getRevision();
    Optional<ControllerRevision> target =
        wanted == 0
            ? revisions.stream()
                .filter(r -> !Objects.equals(RevisionPlanner.hashOf(r), currentHash))
                .max(Comparator.comparingLong(RevisionPlanner::revisionOf))
            : revisions.stream().filter(r -> RevisionPlanner.revisionOf(r) == wanted).findFirst();
    if (target.isEmpty()) {
      String message =
          wanted == 0
              ? "Unable to roll back: there is no earlier revision"
              : "Unable to roll back to revision " + wanted + ": it is not in the history";
      return Optional.of(
          new Decision(
              Optional.empty(),
              Optional.empty(),
              new RollbackRecord(from, wanted, null, REVISION_NOT_FOUND, now.toString()),
              message));
    }
    return Optional.of(restore(target.get(), from, REQUESTED, now));
  }

  /**
   * The rollback failurePolicy Rollback makes when the rollout to {@code updateHash} failed: back
   * to {@code currentHash}, the revision the fleet ran before. Empty when there is nothing to go
   * back to, or the failed rollout was itself a rollback (no ping-pong).
   */
  public static Optional<Decision> afterFailure(
      List<ControllerRevision> revisions,
      String updateHash,
      String currentHash,
      boolean failedRolloutWasRollback,
      Instant now) {
    return afterFailure(
        revisions,
        updateHash,
        currentHash,
        failedRolloutWasRollback,
        PROGRESS_DEADLINE_EXCEEDED,
        now);
  }

  /**
   * The rollback after a failed rollout, for {@code reason} (ProgressDeadlineExceeded or
   * HealthGateFailed): back to {@code currentHash}, the last revision that completed.
   */
  public static Optional<Decision> afterFailure(
      List<ControllerRevision> revisions,
      String updateHash,
      String currentHash,
      boolean failedRolloutWasRollback,
      String reason,
      Instant now) {
    if (failedRolloutWasRollback || currentHash == null || currentHash.equals(updateHash)) {
      return Optional.empty();
    }
    return revisions.stream()
        .filter(r -> currentHash.equals(RevisionPlanner.hashOf(r)))
        .findFirst()
        .map(r -> restore(r, numberOf(revisions, updateHash), reason, now));
  }

  /** The bad mark of a revision, if its health gates failed. */
  public static Optional<String> badReason(ControllerRevision revision) {
    Map<String, String> annotations = revision.getMetadata().getAnnotations();
    return Optional.ofNullable(
        annotations == null ? null : annotations.get(BAD_REVISION_ANNOTATION));
  }

  /** The kept revision of that hash. */
  public static Optional<ControllerRevision> withHash(
      List<ControllerRevision> revisions, String hash) {
    return revisions.stream()
        .filter(r -> Objects.equals(RevisionPlanner.hashOf(r), hash))
        .findFirst();
  }

  /** The last rollback recorded on the NodeDaemon, if any. */
  public static Optional<RollbackRecord> lastRollback(NodeDaemon nodeDaemon) {
    Map<String, String> annotations = nodeDaemon.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(LAST_ROLLBACK_ANNOTATION);
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Serialization.unmarshal(json, RollbackRecord.class));
    } catch (RuntimeException e) {
      return Optional.empty(); // someone edited the annotation by hand: not worth failing over
    }
  }

  /** Revision hashes to numbers and templates, for the planner. */
  public static RevisionIndex index(List<ControllerRevision> revisions, long updateNumber) {
    Map<String, Long> numbers = new HashMap<>();
    Map<String, PodTemplateSpec> templates = new HashMap<>();
    Map<String, String> bad = new HashMap<>();
    for (ControllerRevision revision : revisions) {
      String hash = RevisionPlanner.hashOf(revision);
      if (hash == null) {
        continue;
      }
      numbers.put(hash, RevisionPlanner.revisionOf(revision));
      templateOf(revision).ifPresent(t -> templates.put(hash, t));
      badReason(revision).ifPresent(why -> bad.put(hash, why));
    }
    return new RevisionIndex(
        updateNumber, Map.copyOf(numbers), Map.copyOf(templates), Map.copyOf(bad));
  }

  /** The pod template a revision stores ({@code data.spec.template}). */
  public static Optional<PodTemplateSpec> templateOf(ControllerRevision revision) {
    Object data = revision.getData();
    if (data == null) {
      return Optional.empty();
    }
    var template = Serialization.jsonMapper().valueToTree(data).path("spec").path("template");
    if (template.isMissingNode() || template.isNull()) {
      return Optional.empty();
    }
    return Optional.of(Serialization.jsonMapper().convertValue(template, PodTemplateSpec.class));
  }

  private static Decision restore(
      ControllerRevision target, Long from, String reason, Instant now) {
    long to = RevisionPlanner.revisionOf(target);
    Map<String, String> annotations = target.getMetadata().getAnnotations();
    String cause = annotations == null ? null : annotations.get(RevisionPlanner.CHANGE_CAUSE);
    String message =
        "Rolled back to revision "
            + to
            + (from == null ? "" : " from revision " + from)
            + switch (reason) {
              case REQUESTED -> " as spec.rollbackTo requested";
              case HEALTH_GATE_FAILED -> " because revision " + from + " failed its health gates";
              default -> " because revision " + from + " exceeded its progress deadline";
            };
    return new Decision(
        templateOf(target),
        Optional.ofNullable(cause),
        new RollbackRecord(from, to, RevisionPlanner.hashOf(target), reason, now.toString()),
        message);
  }

  private static Long numberOf(List<ControllerRevision> revisions, String hash) {
    return revisions.stream()
        .filter(r -> Objects.equals(RevisionPlanner.hashOf(r), hash))
        .map(RevisionPlanner::revisionOf)
        .findFirst()
        .orElse(null);
  }
}
