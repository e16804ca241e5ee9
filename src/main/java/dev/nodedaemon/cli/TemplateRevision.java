package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.revision.TemplateHash;
import java.util.Objects;

/** Which revision the NodeDaemon's current template is, for undo, abort and nodes. */
final class TemplateRevision {

  private TemplateRevision() {}

  /**
   * The hash of the NodeDaemon's current template: the operator's status.updateRevision once it has
   * observed this generation, else computed the way the operator computes it.
   */
  static String hash(NodeDaemon nodeDaemon) {
    NodeDaemonStatus status = nodeDaemon.getStatus();
    if (status != null
        && status.getUpdateRevision() != null
        && Objects.equals(
            status.getObservedGeneration(), nodeDaemon.getMetadata().getGeneration())) {
      return status.getUpdateRevision();
    }
    int collisions =
        status == null || status.getCollisionCount() == null ? 0 : status.getCollisionCount();
    return TemplateHash.of(nodeDaemon.getSpec().getTemplate(), collisions);
  }
}
