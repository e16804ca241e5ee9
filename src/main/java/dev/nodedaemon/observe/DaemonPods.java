package dev.nodedaemon.observe;

import dev.nodedaemon.api.PodLabels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Facts read off one daemon pod. */
public final class DaemonPods {

  private DaemonPods() {}

  /**
   * The node a daemon pod is for: where it is bound, else where its node affinity pins it (a pod
   * the scheduler has not placed yet still belongs to its node).
   */
  public static Optional<String> targetNode(Pod pod) {
    if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
      return Optional.of(pod.getSpec().getNodeName());
    }
    if (pod.getMetadata().getAnnotations() != null
        && pod.getMetadata().getAnnotations().containsKey(PodLabels.NODE_ANNOTATION)) {
      return Optional.of(pod.getMetadata().getAnnotations().get(PodLabels.NODE_ANNOTATION));
    }
    if (pod.getSpec() == null
        || pod.getSpec().getAffinity() == null
        || pod.getSpec().getAffinity().getNodeAffinity() == null
        || pod.getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
            == null) {
      return Optional.empty();
    }
    List<NodeSelectorTerm> terms =
        pod.getSpec()
            .getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms();
    for (NodeSelectorTerm term : terms == null ? List.<NodeSelectorTerm>of() : terms) {
      for (NodeSelectorRequirement field :
          term.getMatchFields() == null
              ? List.<NodeSelectorRequirement>of()
              : term.getMatchFields()) {
        if ("metadata.name".equals(field.getKey())
            && "In".equals(field.getOperator())
            && field.getValues() != null
            && field.getValues().size() == 1) {
          return Optional.of(field.getValues().get(0));
        }
      }
    }
    return Optional.empty();
  }

  public static String revision(Pod pod) {
    return pod.getMetadata().getLabels() == null
        ? null
        : pod.getMetadata().getLabels().get(PodLabels.REVISION_LABEL);
  }

  public static boolean isTerminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  public static boolean isFailed(Pod pod) {
    return pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase());
  }

  public static boolean isSucceeded(Pod pod) {
    return pod.getStatus() != null && "Succeeded".equals(pod.getStatus().getPhase());
  }

  /**
   * Ready, and not in the middle of an in-place update: right after its images are patched a pod
   * still reports Ready from the old containers until the kubelet restarts them.
   */
  public static boolean isReady(Pod pod) {
    Optional<PodCondition> ready = readyCondition(pod);
    return ready.isPresent()
        && "True".equals(ready.get().getStatus())
        && !inPlaceUpdatePending(pod);
  }

  /**
   * The annotation an in-place update leaves on the pod: each patched container's image ID before
   * the patch, so the operator can tell when the kubelet runs the new image.
   */
  public static final String IN_PLACE_ANNOTATION = "nodedaemon.dev/in-place-update";

  /**
   * True while a container patched in place still runs its old image: its status shows the image ID
   * recorded before the patch, or (without an ID) an image other than the spec's.
   */
  public static boolean inPlaceUpdatePending(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String recorded = annotations == null ? null : annotations.get(IN_PLACE_ANNOTATION);
    if (recorded == null || pod.getSpec() == null) {
      return false;
    }
    Map<String, String> previousIds = parseImageIds(recorded);
    List<ContainerStatus> statuses =
        pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
            ? List.of()
            : pod.getStatus().getContainerStatuses();
    for (Container container : pod.getSpec().getContainers()) {
      if (!previousIds.containsKey(container.getName())) {
        continue;
      }
      Optional<ContainerStatus> status =
          statuses.stream().filter(s -> container.getName().equals(s.getName())).findFirst();
      if (status.isEmpty()) {
        return true;
      }
      String previousId = previousIds.get(container.getName());
      String imageId = status.get().getImageID();
      boolean idMoved =
          previousId != null
              && !previousId.isEmpty()
              && imageId != null
              && !imageId.isEmpty()
              && !previousId.equals(imageId);
      boolean sameImage =
          normalizeImage(container.getImage()).equals(normalizeImage(status.get().getImage()));
      if (!idMoved && !sameImage) {
        return true;
      }
    }
    return false;
  }

  /** The annotation's value: container name to image ID, as {@code name=id} joined by commas. */
  public static String formatImageIds(Map<String, String> imageIds) {
    return imageIds.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .sorted()
        .collect(java.util.stream.Collectors.joining(","));
  }

  static Map<String, String> parseImageIds(String value) {
    Map<String, String> ids = new java.util.HashMap<>();
    for (String entry : value.split(",")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        ids.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return ids;
  }

  /**
   * The kubelet reports images fully qualified ({@code docker.io/library/nginx:1.25} for {@code
   * nginx:1.25}); compare without the default registry and namespace.
   */
  static String normalizeImage(String image) {
    if (image == null) {
      return "";
    }
    String normalized = image;
    if (normalized.startsWith("docker.io/")) {
      normalized = normalized.substring("docker.io/".length());
    }
    if (normalized.startsWith("library/")) {
      normalized = normalized.substring("library/".length());
    }
    return normalized;
  }

  /**
   * Available: ready for at least minReadySeconds. The ready condition's transition time is the
   * kubelet's clock; {@code now} is the operator's. When the node's clock runs ahead, the pod looks
   * younger than it is and becomes available late, never early; when it runs behind, a time in the
   * operator's future is not trusted and the pod waits a full minReadySeconds of operator time from
   * when the operator first saw it ready (see {@code firstSeenReady}).
   */
  public static boolean isAvailable(
      Pod pod, int minReadySeconds, Instant now, Optional<Instant> firstSeenReady) {
    if (!isReady(pod)) {
      return false;
    }
    if (minReadySeconds <= 0) {
      return true;
    }
    Instant readySince = readySince(pod).orElse(now);
    if (readySince.isAfter(now)) {
      readySince = now;
    }
    Instant seen = firstSeenReady.orElse(readySince);
    Instant start = seen.isAfter(readySince) ? seen : readySince;
    return !start.plus(Duration.ofSeconds(minReadySeconds)).isAfter(now);
  }

  public static Optional<Instant> readySince(Pod pod) {
    return readyCondition(pod)
        .filter(c -> "True".equals(c.getStatus()))
        .map(PodCondition::getLastTransitionTime)
        .filter(t -> t != null && !t.isEmpty())
        .map(Instant::parse);
  }

  public static Instant createdAt(Pod pod) {
    String ts = pod.getMetadata().getCreationTimestamp();
    return ts == null ? Instant.EPOCH : Instant.parse(ts);
  }

  private static Optional<PodCondition> readyCondition(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    // A loop, not a stream: read several times per pod in every reconcile (planner, counters,
    // metrics), at 5,000 pods the stream pipelines were a measurable share of a planner pass.
    for (PodCondition condition : pod.getStatus().getConditions()) {
      if ("Ready".equals(condition.getType())) {
        return Optional.of(condition);
      }
    }
    return Optional.empty();
  }
}
