package dev.nodedaemon.reconcile;

import dev.nodedaemon.apply.PodWriter;
import dev.nodedaemon.plan.PodPlan.InPlacePatch;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pods this process deleted that its informer still shows alive, as the built-in controller's
 * deletion expectations. A pod watch that lags (found by the fault matrix with pod events 5 s late)
 * otherwise shows a node the old pod the operator just deleted beside its replacement, and the
 * planner deletes the replacement as a second pod: a working pod gone, and a node without a ready
 * pod under maxSurge with maxUnavailable 0. Such pods are shown to the planner as terminating,
 * which they are. An expectation ends when the informer shows the pod terminating or gone, or after
 * {@link #TTL} in case its watch event was lost.
 */
final class DeletionExpectations {

  static final Duration TTL = Duration.ofSeconds(30);

  private final Map<String, Instant> deletedAt = new ConcurrentHashMap<>();
  private final Clock clock;

  DeletionExpectations(Clock clock) {
    this.clock = clock;
  }

  /** {@code writer}, remembering the pods it deleted. */
  PodWriter recording(PodWriter writer) {
    return new PodWriter() {
      @Override
      public Result create(Pod pod) {
        return writer.create(pod);
      }

      @Override
      public Result delete(Pod pod) {
        return remember(pod, writer.delete(pod));
      }

      @Override
      public Result deleteOrphan(Pod pod) {
        return remember(pod, writer.deleteOrphan(pod));
      }

      @Override
      public Result updateInPlace(InPlacePatch patch) {
        return writer.updateInPlace(patch);
      }

      @Override
      public Result dryRunCreate(Pod pod) {
        return writer.dryRunCreate(pod);
      }

      @Override
      public Result adopt(Pod pod, OwnerReference owner, String nodeDaemonName, String revision) {
        return writer.adopt(pod, owner, nodeDaemonName, revision);
      }
    };
  }

  private PodWriter.Result remember(Pod pod, PodWriter.Result result) {
    if (result.outcome() == PodWriter.Outcome.DONE) {
      deletedAt.put(pod.getMetadata().getUid(), clock.instant());
    }
    return result;
  }

  /**
   * The observed pods, with the ones this process deleted and the informer still shows alive marked
   * terminating (copies with a deletion timestamp); forgets the ones it now shows so.
   */
  List<Pod> asObserved(Collection<Pod> observed, Instant now) {
    // A list, not a set: hashing a pod is deep (PodSpec.hashCode was among the hottest methods of
    // a 1,000-node rollout's profile).
    if (deletedAt.isEmpty()) {
      return List.copyOf(observed);
    }
    deletedAt.values().removeIf(at -> at.plus(TTL).isBefore(now));
    List<Pod> pods = new ArrayList<>();
    for (Pod pod : observed) {
      Instant at = deletedAt.get(pod.getMetadata().getUid());
      if (at == null) {
        pods.add(pod);
      } else if (pod.getMetadata().getDeletionTimestamp() != null) {
        deletedAt.remove(pod.getMetadata().getUid());
        pods.add(pod);
      } else {
        Pod terminating = Serialization.clone(pod);
        terminating.getMetadata().setDeletionTimestamp(at.toString());
        pods.add(terminating);
      }
    }
    return pods;
  }
}
