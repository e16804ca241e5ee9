package dev.nodedaemon.apply;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;

/** {@link PodWriter} against the API server. */
public final class KubernetesPodWriter implements PodWriter {

  private final KubernetesClient client;

  public KubernetesPodWriter(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Result create(Pod pod) {
    try {
      client.pods().resource(pod).create();
      return Result.DONE;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return new Result(Outcome.ALREADY_EXISTS, e.getMessage());
      }
      return new Result(Outcome.FAILED, reason(e));
    }
  }

  @Override
  public Result delete(Pod pod) {
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
  public Result forceDelete(Pod pod) {
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .withGracePeriod(0)
          .delete();
      return Result.DONE;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return new Result(Outcome.NOT_FOUND, e.getMessage());
      }
      return new Result(Outcome.FAILED, reason(e));
    }
  }

  @Override
  public Result adopt(Pod pod, OwnerReference owner, String nodeDaemonName) {
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
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      return Result.DONE;
    } catch (KubernetesClientException e) {
      return new Result(Outcome.FAILED, reason(e));
    }
  }

  private static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return e.getMessage();
  }
}
