package dev.nodedaemon.observe;

import dev.nodedaemon.api.NodeDaemon;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Which objects a NodeDaemon controls: those whose controller reference carries its UID. The
 * informers map pods and revisions to a NodeDaemon by its name, so a NodeDaemon deleted and
 * recreated under the same name would otherwise take its predecessor's leftovers (until the garbage
 * collector removes them) for its own: count them, roll them, prune them.
 */
public final class Ownership {

  private Ownership() {}

  public static <T extends HasMetadata> List<T> controlledBy(
      NodeDaemon nodeDaemon, Collection<T> objects) {
    String uid = nodeDaemon.getMetadata().getUid();
    return objects.stream().filter(o -> controllerUid(o).equals(uid)).toList();
  }

  private static String controllerUid(HasMetadata object) {
    return controller(object).map(OwnerReference::getUid).orElse("");
  }

  /** The object's controller reference (the owner reference marked controller), if any. */
  public static Optional<OwnerReference> controller(HasMetadata object) {
    List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
    if (owners == null) {
      return Optional.empty();
    }
    return owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
  }
}
