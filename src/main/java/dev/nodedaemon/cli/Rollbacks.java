package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.revision.TemplateHash;
import java.util.Objects;

/** What undo and abort share: which revision the current template is. */
final class Rollbacks {

  private Rollbacks() {}

  /**
   * The hash of the NodeDaemon's current template: the operator's status.updateRevision once it has
   * observed this generation, else computed the way the operator computes it.
   */
  static String currentTemplateHash(NodeDaemon nodeDaemon) {
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
