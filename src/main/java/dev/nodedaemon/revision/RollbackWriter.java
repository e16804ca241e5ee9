package dev.nodedaemon.revision;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.JsonPatch;
import dev.nodedaemon.events.EventSink;
import dev.nodedaemon.lease.PauseFence;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * Carries out a {@link Rollbacks.Decision}: the only code that writes a NodeDaemon's spec. One JSON
 * patch, preconditioned on the generation it was decided from, restores the template and its
 * change-cause, removes spec.rollbackTo and records the rollback in an annotation (which the status
 * builder turns into status.lastRollback). A user's edit in between makes the patch fail; the next
 * reconcile decides again.
 */
public final class RollbackWriter {

  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(RollbackWriter.class);

  private final KubernetesClient client;
  private final EventSink events;

  public RollbackWriter(KubernetesClient client, EventSink events) {
    this.client = client;
    this.events = events;
  }

  public void apply(NodeDaemon nodeDaemon, Rollbacks.Decision decision) {
    JsonPatch patch =
        new JsonPatch().test("/metadata/generation", nodeDaemon.getMetadata().getGeneration());
    decision.template().ifPresent(template -> patch.replace("/spec/template", template));
    if (nodeDaemon.getSpec().getRollbackTo() != null) {
      patch.remove("/spec/rollbackTo");
    }
    Map<String, String> annotations = nodeDaemon.getMetadata().getAnnotations();
    if (annotations == null || annotations.isEmpty()) {
      // fabric8 reads absent annotations as an empty map; the server has no map to add to.
      patch.add("/metadata/annotations", Map.of());
    }
    patch.add(
        JsonPatch.entry("/metadata/annotations", Rollbacks.LAST_ROLLBACK_ANNOTATION),
        Serialization.asJson(decision.record()));
    String causePath = JsonPatch.entry("/metadata/annotations", RevisionPlanner.CHANGE_CAUSE);
    if (decision.template().isPresent()) {
      if (decision.changeCause().isPresent()) {
        patch.add(causePath, decision.changeCause().get());
      } else if (annotations != null && annotations.containsKey(RevisionPlanner.CHANGE_CAUSE)) {
        // The restored template came without a cause; the current one would be wrong for it.
        patch.remove(causePath);
      }
    }
    PauseFence.check();
    try {
      client
          .resources(NodeDaemon.class)
          .inNamespace(nodeDaemon.getMetadata().getNamespace())
          .withName(nodeDaemon.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON), patch.toJson());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 422 || e.getCode() == 409) {
        // Most likely the generation test: the NodeDaemon changed since this was decided, and the
        // next reconcile decides again. Logged, since a 422 can also be a refused template.
        LOG.infof(
            "rollback of %s/%s not applied: %s",
            nodeDaemon.getMetadata().getNamespace(),
            nodeDaemon.getMetadata().getName(),
            e.getMessage());
        return;
      }
      throw e;
    }
    if (decision.template().isPresent()) {
      events.normal(nodeDaemon, "RolledBack", decision.message());
    } else {
      events.warning(nodeDaemon, "RollbackRevisionNotFound", decision.message());
    }
  }

  /**
   * Removes the one-shot requests spec.promote and spec.retry once the operator has carried them
   * out, preconditioned on the generation it decided from: a newer request is never removed unseen.
   */
  public void removeRequests(NodeDaemon nodeDaemon) {
    JsonPatch patch =
        new JsonPatch().test("/metadata/generation", nodeDaemon.getMetadata().getGeneration());
    boolean any = false;
    if (nodeDaemon.getSpec().getPromote() != null) {
      patch.remove("/spec/promote");
      any = true;
    }
    if (nodeDaemon.getSpec().getRetry() != null) {
      patch.remove("/spec/retry");
      any = true;
    }
    if (!any) {
      return;
    }
    PauseFence.check();
    try {
      client
          .resources(NodeDaemon.class)
          .inNamespace(nodeDaemon.getMetadata().getNamespace())
          .withName(nodeDaemon.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON), patch.toJson());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 422 && e.getCode() != 409) {
        throw e;
      }
      // Changed since it was read: the next reconcile sees the request again, and it is
      // idempotent (a promote names its step, a retry clears a mark already cleared).
    }
  }
}
