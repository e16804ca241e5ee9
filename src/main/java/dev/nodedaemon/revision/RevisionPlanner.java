package dev.nodedaemon.revision;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.DaemonPodFactory;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides the NodeDaemon's ControllerRevisions, as the built-in controller's constructHistory and
 * cleanupHistory do. Pure: the store that writes them is {@link RevisionStore}.
 *
 * <ol>
 *   <li>Every distinct pod template has one ControllerRevision named {@code <name>-<hash>}, whose
 *       data is {@code {"spec": {"template": ...}}} and whose hash labels the template's pods.
 *   <li>A new template gets revision max + 1. Re-applying the template of an older revision reuses
 *       that revision and renumbers it to max + 1, so the newest number is always the current
 *       template.
 *   <li>A revision of that name whose data differs is a hash collision: collisionCount goes up and
 *       the hash is computed again with it, until the name is free or matches.
 *   <li>Beyond revisionHistoryLimit (default 10) old revisions are pruned oldest first; never the
 *       update revision, never one whose hash a live pod still carries, and never the revision a
 *       failure would roll back to ({@code status.currentRevision}, the one the fleet ran before
 *       this rollout), even once no pod runs it.
 *   <li>The NodeDaemon's {@code kubernetes.io/change-cause} annotation is kept on its revision. An
 *       annotation changed after the template (kubectl annotate after an edit) moves onto the
 *       current revision, as a Deployment's does onto its newest ReplicaSet.
 * </ol>
 */
public final class RevisionPlanner {

  private RevisionPlanner() {}

  public static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
  public static final int DEFAULT_HISTORY_LIMIT = 10;
  private static final int MAX_COLLISIONS = 16;

  /**
   * @param updateHash the hash of the current template's revision, for pod labels
   * @param updateRevisionNumber the revision number it has (or will have)
   * @param create a revision to create, when the template is new
   * @param renumber an existing revision to give {@code updateRevisionNumber} (an older template
   *     re-applied), or whose change-cause is out of date
   * @param prune revisions to delete
   */
  public record Decision(
      String updateHash,
      long updateRevisionNumber,
      int collisionCount,
      Optional<ControllerRevision> create,
      Optional<ControllerRevision> renumber,
      List<ControllerRevision> prune) {}

  public static Decision decide(
      NodeDaemon nodeDaemon, List<ControllerRevision> existing, Set<String> hashesInUse) {
    int collisionCount =
        nodeDaemon.getStatus() == null || nodeDaemon.getStatus().getCollisionCount() == null
            ? 0
            : nodeDaemon.getStatus().getCollisionCount();
    Object data = dataOf(nodeDaemon);
    long max = existing.stream().mapToLong(r -> revisionOf(r)).max().orElse(0);
    String changeCause = annotation(nodeDaemon, CHANGE_CAUSE);

    for (int attempt = 0; attempt < MAX_COLLISIONS; attempt++) {
      String hash = TemplateHash.of(nodeDaemon.getSpec().getTemplate(), collisionCount);
      String name = revisionName(nodeDaemon, hash);
      Optional<ControllerRevision> same =
          existing.stream().filter(r -> name.equals(r.getMetadata().getName())).findFirst();
      if (same.isEmpty()) {
        ControllerRevision created = build(nodeDaemon, name, hash, data, max + 1, changeCause);
        List<ControllerRevision> all = new ArrayList<>(existing);
        all.add(created);
        return new Decision(
            hash,
            max + 1,
            collisionCount,
            Optional.of(created),
            Optional.empty(),
            prune(nodeDaemon, all, name, hashesInUse));
      }
      if (sameData(same.get().getData(), data)) {
        ControllerRevision revision = same.get();
        boolean newest = revisionOf(revision) == max;
        boolean causeCurrent =
            changeCause == null || changeCause.equals(annotation(revision, CHANGE_CAUSE));
        long number = newest ? max : max + 1;
        Optional<ControllerRevision> renumber = Optional.empty();
        if (!newest || !causeCurrent) {
          ControllerRevision updated = Serialization.clone(revision);
          updated.setRevision(number);
          if (changeCause != null) {
            Map<String, String> annotations =
                new HashMap<>(
                    Objects.requireNonNullElse(updated.getMetadata().getAnnotations(), Map.of()));
            annotations.put(CHANGE_CAUSE, changeCause);
            updated.getMetadata().setAnnotations(annotations);
          }
          renumber = Optional.of(updated);
        }
        return new Decision(
            hash,
            number,
            collisionCount,
            Optional.empty(),
            renumber,
            prune(nodeDaemon, existing, name, hashesInUse));
      }
      collisionCount++;
    }
    throw new IllegalStateException(
        "more than "
            + MAX_COLLISIONS
            + " revision hash collisions for "
            + nodeDaemon.getMetadata().getName());
  }

  public static String revisionName(NodeDaemon nodeDaemon, String hash) {
    String prefix = nodeDaemon.getMetadata().getName();
    int max = 253 - hash.length() - 1;
    return (prefix.length() > max ? prefix.substring(0, max) : prefix) + "-" + hash;
  }

  public static long revisionOf(ControllerRevision revision) {
    return revision.getRevision() == null ? 0 : revision.getRevision();
  }

  private static List<ControllerRevision> prune(
      NodeDaemon nodeDaemon, List<ControllerRevision> all, String updateName, Set<String> inUse) {
    int limit =
        nodeDaemon.getSpec().getRevisionHistoryLimit() == null
            ? DEFAULT_HISTORY_LIMIT
            : nodeDaemon.getSpec().getRevisionHistoryLimit();
    List<ControllerRevision> old =
        all.stream()
            .filter(r -> !updateName.equals(r.getMetadata().getName()))
            .sorted(Comparator.comparingLong(RevisionPlanner::revisionOf))
            .toList();
    int excess = old.size() - limit;
    String rollbackTarget =
        nodeDaemon.getStatus() == null ? null : nodeDaemon.getStatus().getCurrentRevision();
    List<ControllerRevision> prune = new ArrayList<>();
    for (ControllerRevision revision : old) {
      if (prune.size() >= excess) {
        break;
      }
      String hash = hashOf(revision);
      if (hash == null || (!inUse.contains(hash) && !hash.equals(rollbackTarget))) {
        prune.add(revision);
      }
    }
    return prune;
  }

  public static String hashOf(ControllerRevision revision) {
    Map<String, String> labels = revision.getMetadata().getLabels();
    return labels == null ? null : labels.get(DaemonPodFactory.REVISION_LABEL);
  }

  private static ControllerRevision build(
      NodeDaemon nodeDaemon, String name, String hash, Object data, long number, String cause) {
    ControllerRevision revision = new ControllerRevision();
    revision.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(nodeDaemon.getMetadata().getNamespace())
            .withLabels(
                Map.of(
                    DaemonPodFactory.NODEDAEMON_LABEL,
                    nodeDaemon.getMetadata().getName(),
                    DaemonPodFactory.REVISION_LABEL,
                    hash))
            .withAnnotations(cause == null ? Map.of() : Map.of(CHANGE_CAUSE, cause))
            .withOwnerReferences(DaemonPodFactory.controllerReference(nodeDaemon))
            .build());
    revision.setData(data);
    revision.setRevision(number);
    return revision;
  }

  static Object dataOf(NodeDaemon nodeDaemon) {
    return Map.of(
        "spec",
        Map.of(
            "template",
            Serialization.jsonMapper()
                .convertValue(nodeDaemon.getSpec().getTemplate(), Map.class)));
  }

  /**
   * Compares as JSON text read back, not as object trees: a template's long fields (such as
   * terminationGracePeriodSeconds) convert to long nodes, while the same numbers read back from the
   * API server are int nodes, and Jackson's trees call those different.
   */
  static boolean sameData(Object stored, Object wanted) {
    return asJsonTree(stored).equals(asJsonTree(wanted));
  }

  private static com.fasterxml.jackson.databind.JsonNode asJsonTree(Object value) {
    try {
      return Serialization.jsonMapper().readTree(Serialization.asJson(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String annotation(io.fabric8.kubernetes.api.model.HasMetadata object, String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
