package dev.nodedaemon.apply;

import dev.nodedaemon.lease.PauseFence;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.plan.HealthGateEvaluator;
import dev.nodedaemon.plan.PodPlan.InPlacePatch;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link PodWriter} against the API server. */
public final class KubernetesPodWriter implements PodWriter {

  private final KubernetesClient client;

  public KubernetesPodWriter(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Result create(Pod pod) {
    PauseFence.check();
    try {
      client.pods().resource(pod).create();
      return Result.DONE;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return new Result(Outcome.ALREADY_EXISTS, e.getMessage());
      }
      if (refusal(e)) {
        return new Result(Outcome.REFUSED, reason(e));
      }
      return new Result(Outcome.FAILED, reason(e));
    }
  }

  @Override
  public Result dryRunCreate(Pod pod) {
    PauseFence.check();
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).dryRun().create();
      return Result.DONE;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return Result.DONE; // a pod of that name exists: the template itself was admitted
      }
      if (refusal(e)) {
        return new Result(Outcome.REFUSED, reason(e));
      }
      return new Result(Outcome.FAILED, reason(e));
    }
  }

  @Override
  public Result delete(Pod pod) {
    PauseFence.check();
    try {
      // Preconditioned on the version we planned from: a pod that changed since, or a newer pod
      // that reuses the name, is never deleted on stale information.
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .lockResourceVersion(pod.getMetadata().getResourceVersion())
          .delete();
      return Result.DONE;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return new Result(Outcome.NOT_FOUND, e.getMessage());
      }
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return new Result(Outcome.CONFLICT, e.getMessage());
      }
      return new Result(Outcome.FAILED, reason(e));
    }
  }

  @Override
  public Result deleteOrphan(Pod pod) {
    PauseFence.check();
    String node = DaemonPods.targetNode(pod).orElse(null);
    try {
      // The node is missing from the informer cache, which may only be behind the API server
      // (a node watch that lags, a node created a moment ago): ask the API server itself.
      if (node != null && client.nodes().withName(node).get() != null) {
        return new Result(
            Outcome.CONFLICT, "node " + node + " exists; the operator's node cache is behind");
      }
      // Truly gone: the usual grace, as for any delete; the pod garbage collector finishes a pod
      // that no kubelet will stop, as it does for the built-in controller's.
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .lockResourceVersion(pod.getMetadata().getResourceVersion())
          .delete();
      return Result.DONE;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return new Result(Outcome.NOT_FOUND, e.getMessage());
      }
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return new Result(Outcome.CONFLICT, e.getMessage());
      }
      return new Result(Outcome.FAILED, reason(e));
    }
  }

  @Override
  public Result updateInPlace(InPlacePatch update) {
    PauseFence.check();
    Pod pod = update.pod();
    // Preconditioned like delete: a pod that changed since it was planned on is left alone. A
    // resourceVersion in the patched object is the API server's own precondition and answers 409;
    // a JSON-patch "test" would fail with 422, which could not be told from a refusal.
    JsonPatch patch =
        new JsonPatch()
            .replace("/metadata/resourceVersion", pod.getMetadata().getResourceVersion());
    List<Container> containers = pod.getSpec().getContainers();
    Map<String, String> previousImageIds = new HashMap<>();
    for (int i = 0; i < containers.size(); i++) {
      String image = update.images().get(containers.get(i).getName());
      if (image != null) {
        patch.replace("/spec/containers/" + i + "/image", image);
        previousImageIds.put(
            containers.get(i).getName(), imageId(pod, containers.get(i).getName()));
      }
    }
    patch.replace(
        JsonPatch.entry("/metadata/labels", DaemonPodFactory.REVISION_LABEL), update.revision());
    if (pod.getMetadata().getAnnotations() == null
        || pod.getMetadata().getAnnotations().isEmpty()) {
      patch.add("/metadata/annotations", Map.of());
    }
    patch.add(
        JsonPatch.entry("/metadata/annotations", DaemonPods.IN_PLACE_ANNOTATION),
        DaemonPods.formatImageIds(previousImageIds));
    // The health gates count restarts and the ready timeout from the update, not the creation.
    patch.add(
        JsonPatch.entry("/metadata/annotations", HealthGateEvaluator.UPDATED_AT_ANNOTATION),
        Instant.now().toString());
    patch.add(
        JsonPatch.entry("/metadata/annotations", HealthGateEvaluator.RESTARTS_BEFORE_ANNOTATION),
        String.valueOf(restarts(pod)));
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON), patch.toJson());
      return Result.DONE;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return new Result(Outcome.NOT_FOUND, e.getMessage());
      }
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return new Result(Outcome.CONFLICT, e.getMessage());
      }
      if (refusal(e)) {
        // Invalid, or an admission policy forbids the change: the same patch gets the same answer.
        return new Result(Outcome.REFUSED, reason(e));
      }
      return new Result(Outcome.FAILED, reason(e));
    }
  }

  private static int restarts(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return 0;
    }
    return pod.getStatus().getContainerStatuses().stream()
        .mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount())
        .sum();
  }

  private static String imageId(Pod pod, String container) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return "";
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> container.equals(s.getName()))
        .map(s -> s.getImageID() == null ? "" : s.getImageID())
        .findFirst()
        .orElse("");
  }

  @Override
  public Result adopt(Pod pod, OwnerReference owner, String nodeDaemonName, String revision) {
    PauseFence.check();
    List<OwnerReference> owners =
        new ArrayList<>(
            pod.getMetadata().getOwnerReferences() == null
                ? List.of()
                : pod.getMetadata().getOwnerReferences());
    owners.add(owner);
    Pod patch =
        new PodBuilder()
            .withNewMetadata()
            .withName(pod.getMetadata().getName())
            .withNamespace(pod.getMetadata().getNamespace())
            .withUid(pod.getMetadata().getUid())
            .withResourceVersion(pod.getMetadata().getResourceVersion())
            .withOwnerReferences(owners)
            .addToLabels(DaemonPodFactory.NODEDAEMON_LABEL, nodeDaemonName)
            .endMetadata()
            .build();
    if (revision != null) {
      patch.getMetadata().getLabels().put(DaemonPodFactory.REVISION_LABEL, revision);
      DaemonPods.targetNode(pod)
          .ifPresent(
              node ->
                  patch
                      .getMetadata()
                      .setAnnotations(Map.of(DaemonPodFactory.NODE_ANNOTATION, node)));
    }
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      return Result.DONE;
    } catch (KubernetesClientException e) {
      // A conflict: the pod changed since it was listed (its status, say); listing again retries.
      return new Result(
          e.getCode() == HttpURLConnection.HTTP_CONFLICT ? Outcome.CONFLICT : Outcome.FAILED,
          reason(e));
    }
  }

  /** Invalid, or forbidden by admission: asking again unchanged gets the same answer. */
  private static boolean refusal(KubernetesClientException e) {
    return e.getCode() == HttpURLConnection.HTTP_BAD_REQUEST
        || e.getCode() == HttpURLConnection.HTTP_FORBIDDEN
        || e.getCode() == 422;
  }

  private static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return e.getMessage();
  }
}
