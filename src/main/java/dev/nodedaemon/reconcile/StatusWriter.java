package dev.nodedaemon.reconcile;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.net.HttpURLConnection;

/**
 * Writes a NodeDaemon's status: a server-side apply of the whole status, preconditioned on the
 * resourceVersion the reconcile read, and then kept in the operator's cache of NodeDaemons.
 *
 * <p>Why both: the rollout state machine reads its own previous status (the revision of the current
 * rollout, its phase) to decide which events a step makes. Without the cache, a reconcile that
 * starts before the informer has delivered the last status write sees the older status and says
 * "RolloutStarted" a second time. Without the precondition, a status computed from an older spec
 * could overwrite one written for the newer spec.
 */
final class StatusWriter {

  private StatusWriter() {}

  /**
   * @return true when the status was written; false when the NodeDaemon changed since it was read
   *     (its next version brings another reconcile, which writes the status for it)
   */
  static boolean write(NodeDaemon read, NodeDaemonStatus status, Context<NodeDaemon> context) {
    dev.nodedaemon.lease.PauseFence.check();
    try {
      PrimaryUpdateAndCacheUtils.updateAndCacheResource(
          read,
          context,
          r -> statusOnly(r, status),
          r ->
              context
                  .getClient()
                  .resource(r)
                  .subresource("status")
                  .patch(
                      new PatchContext.Builder()
                          .withForce(true)
                          .withFieldManager(context.getControllerConfiguration().fieldManager())
                          .withPatchType(PatchType.SERVER_SIDE_APPLY)
                          .build()),
          0, // no retry: a conflict means the status must be computed again, not re-sent
          0,
          0);
      return true;
    } catch (OperatorException e) {
      if (e.getCause() instanceof KubernetesClientException k
          && k.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  /** The apply body: only what the operator owns, the status, and the object's identity. */
  static NodeDaemon statusOnly(NodeDaemon nodeDaemon, NodeDaemonStatus status) {
    NodeDaemon body = new NodeDaemon();
    body.setMetadata(
        new ObjectMetaBuilder()
            .withName(nodeDaemon.getMetadata().getName())
            .withNamespace(nodeDaemon.getMetadata().getNamespace())
            .build());
    body.setStatus(status);
    return body;
  }
}
