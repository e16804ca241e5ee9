package dev.nodedaemon.reconcile;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.observe.Ownership;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Nodes that get no create yet because the pod on them is still controlled, in the operator's
 * cache, by an earlier NodeDaemon of the same name.
 *
 * <p>Why: a NodeDaemon deleted with {@code --cascade=orphan} and created again finds its
 * predecessor's pods. The garbage collector removed their owner reference before the old NodeDaemon
 * went, but the pod watch and the NodeDaemon watch are separate streams: the new NodeDaemon's first
 * reconcile may still see the old owner on a pod, take its node for empty and create a second pod
 * there (PodLifecycleIT saw it in 1 of 4 runs). Once the watch shows the pod without an owner, it
 * is adopted like any orphan.
 *
 * <p>Invariants: only a live (not terminating) pod whose controller is a NodeDaemon of this name
 * with another UID holds its node; the hold lasts at most {@link #WINDOW} from the NodeDaemon's
 * creation, so a predecessor's pod that is never orphaned nor deleted (no garbage collector) delays
 * the node's own pod by that much and no more. Nothing is read from the API server: the hold is a
 * pure function of the cache and the clock.
 */
final class PredecessorPods {

  static final Duration WINDOW = Duration.ofSeconds(15);

  private PredecessorPods() {}

  /**
   * @param nodes nodes held now
   * @param until when the hold ends, to look again then; empty when nothing is held
   */
  record Hold(Set<String> nodes, Optional<Instant> until) {
    static final Hold NONE = new Hold(Set.of(), Optional.empty());
  }

  /**
   * @param namedPods the cached pods labelled with the NodeDaemon's name, whoever controls them
   */
  static Hold of(NodeDaemon nodeDaemon, Collection<Pod> namedPods, Instant now) {
    String created = nodeDaemon.getMetadata().getCreationTimestamp();
    if (created == null) {
      return Hold.NONE;
    }
    Instant until = Instant.parse(created).plus(WINDOW);
    if (!now.isBefore(until)) {
      return Hold.NONE;
    }
    Set<String> nodes =
        namedPods.stream()
            .filter(pod -> !DaemonPods.isTerminating(pod))
            .filter(pod -> controlledByPredecessor(pod, nodeDaemon))
            .map(DaemonPods::targetNode)
            .flatMap(Optional::stream)
            .collect(Collectors.toSet());
    return nodes.isEmpty() ? Hold.NONE : new Hold(nodes, Optional.of(until));
  }

  private static boolean controlledByPredecessor(Pod pod, NodeDaemon nodeDaemon) {
    return Ownership.controller(pod).filter(o -> isPredecessor(o, nodeDaemon)).isPresent();
  }

  private static boolean isPredecessor(OwnerReference owner, NodeDaemon nodeDaemon) {
    return NodeDaemon.class.getSimpleName().equals(owner.getKind())
        && Objects.equals(owner.getName(), nodeDaemon.getMetadata().getName())
        && !Objects.equals(owner.getUid(), nodeDaemon.getMetadata().getUid());
  }
}
