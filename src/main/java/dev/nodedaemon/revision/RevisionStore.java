package dev.nodedaemon.revision;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.events.EventSink;
import dev.nodedaemon.lease.PauseFence;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Writes what {@link RevisionPlanner} decides: the only code that changes ControllerRevisions. A
 * create that finds the name taken is left to the next reconcile, which sees the revision in its
 * cache and compares data (a collision then bumps collisionCount).
 */
public final class RevisionStore {

  private static final Logger LOG = Logger.getLogger(RevisionStore.class);

  private final KubernetesClient client;
  private final EventSink events;

  public RevisionStore(KubernetesClient client, EventSink events) {
    this.client = client;
    this.events = events;
  }

  /** Returns the decision; its hash is valid for pods even if a write failed. */
  public RevisionPlanner.Decision sync(
      NodeDaemon nodeDaemon, List<ControllerRevision> existing, Set<String> hashesInUse) {
    PauseFence.check(); // every write below is a leader's
    RevisionPlanner.Decision decision = RevisionPlanner.decide(nodeDaemon, existing, hashesInUse);
    decision
        .create()
        .ifPresent(
            revision -> {
              try {
                client.resource(revision).create();
                events.normal(
                    nodeDaemon,
                    "RevisionCreated",
                    "Created revision "
                        + revision.getRevision()
                        + ": "
                        + revision.getMetadata().getName());
              } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                  throw e;
                }
              }
            });
    decision
        .renumber()
        .ifPresent(
            revision -> {
              ControllerRevision patch =
                  new ControllerRevisionBuilder()
                      .withRevision(revision.getRevision())
                      .withNewMetadata()
                      .withAnnotations(revision.getMetadata().getAnnotations())
                      .endMetadata()
                      .build();
              client
                  .resources(ControllerRevision.class)
                  .inNamespace(revision.getMetadata().getNamespace())
                  .withName(revision.getMetadata().getName())
                  .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            });
    for (ControllerRevision old : decision.prune()) {
      try {
        client
            .resources(ControllerRevision.class)
            .inNamespace(old.getMetadata().getNamespace())
            .withName(old.getMetadata().getName())
            .delete();
      } catch (KubernetesClientException e) {
        LOG.warnf("pruning revision %s failed: %s", old.getMetadata().getName(), e.getMessage());
      }
    }
    return decision;
  }

  /**
   * Marks the revision bad (its health gates failed) or clears the mark ({@code why} null). The
   * mark lives on the ControllerRevision, so it outlasts the status and a re-applied template.
   */
  public void markBad(ControllerRevision revision, String why) {
    PauseFence.check();
    Map<String, String> annotations = new HashMap<>();
    annotations.put(Rollbacks.BAD_REVISION_ANNOTATION, why); // null removes it (merge patch)
    String patch = Serialization.asJson(Map.of("metadata", Map.of("annotations", annotations)));
    client
        .resources(ControllerRevision.class)
        .inNamespace(revision.getMetadata().getNamespace())
        .withName(revision.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }
}
