package dev.nodedaemon.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a running pod is, semantically, the pod a NodeDaemon's template would make on its node:
 * so a pod adopted from a DaemonSet (or from an earlier NodeDaemon) is kept as the current revision
 * instead of being replaced. Pure.
 *
 * <p>The expected pod is the API server's answer to a server-side dry run of the NodeDaemon's pod
 * for that node, so both went through the same defaulting and admission. What may still differ
 * without the pod being another one, and is ignored:
 *
 * <ul>
 *   <li>where it runs: nodeName (the scheduler's), and the node affinity that pins it (both
 *       controllers pin a daemon pod to its node's name; the nodes are compared instead);
 *   <li>the service-account token volume ({@code kube-api-access-*}), whose name is random;
 *   <li>the order of tolerations, and the deprecated {@code serviceAccount} alias.
 * </ul>
 *
 * The template's labels and annotations must all be on the pod with the same values; the pod may
 * carry more (its controller's revision label, say).
 */
public final class SameTemplate {

  private SameTemplate() {}

  public static boolean matches(Pod expected, Pod actual) {
    if (!Objects.equals(
        DaemonPods.targetNode(expected).orElse(null), DaemonPods.targetNode(actual).orElse(null))) {
      return false;
    }
    if (!containsAll(actual.getMetadata().getLabels(), expected.getMetadata().getLabels(), true)
        || !containsAll(
            actual.getMetadata().getAnnotations(),
            expected.getMetadata().getAnnotations(),
            false)) {
      return false;
    }
    return normalised(expected).equals(normalised(actual));
  }

  /** The pod's spec with what may differ between two copies of one pod taken out. */
  static JsonNode normalised(Pod pod) {
    ObjectNode spec = (ObjectNode) Serialization.jsonMapper().valueToTree(pod.getSpec());
    spec.remove(List.of("nodeName", "serviceAccount", "affinity"));
    ArrayNode volumes = (ArrayNode) spec.get("volumes");
    if (volumes != null) {
      removeTokenEntries(volumes);
      if (volumes.isEmpty()) {
        spec.remove("volumes");
      }
    }
    for (String kind : List.of("containers", "initContainers")) {
      JsonNode containers = spec.get(kind);
      if (containers == null) {
        continue;
      }
      for (JsonNode container : containers) {
        ArrayNode mounts = (ArrayNode) container.get("volumeMounts");
        if (mounts != null) {
          removeTokenEntries(mounts);
          if (mounts.isEmpty()) {
            ((ObjectNode) container).remove("volumeMounts");
          }
        }
      }
    }
    JsonNode tolerations = spec.get("tolerations");
    if (tolerations != null) {
      List<JsonNode> sorted = new ArrayList<>();
      tolerations.forEach(sorted::add);
      sorted.sort(Comparator.comparing(JsonNode::toString));
      spec.set("tolerations", Serialization.jsonMapper().valueToTree(sorted));
    }
    return spec;
  }

  /** Drops the service-account token's volume or mounts, named kube-api-access-<random>. */
  private static void removeTokenEntries(ArrayNode entries) {
    for (Iterator<JsonNode> it = entries.elements(); it.hasNext(); ) {
      if (it.next().path("name").asText().startsWith("kube-api-access-")) {
        it.remove();
      }
    }
  }

  /**
   * @param exceptOurs ignore NodeDaemon's own labels, which the expected pod has and a pod made by
   *     another controller cannot
   */
  private static boolean containsAll(
      Map<String, String> actual, Map<String, String> expected, boolean exceptOurs) {
    if (expected == null) {
      return true;
    }
    for (Map.Entry<String, String> entry : expected.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith("nodedaemon.dev/") || key.equals("controller-revision-hash")) {
        continue;
      }
      if (actual == null || !entry.getValue().equals(actual.get(key))) {
        return false;
      }
    }
    return true;
  }
}
