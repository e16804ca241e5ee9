package dev.nodedaemon.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a pod can move from one template to another by patching container images, the one
 * pod-spec change the kubelet applies to a running pod by restarting the container. Pure.
 *
 * <p>Only {@code spec.containers[*].image} may differ, container by container with the same names
 * in the same order; any other difference (init containers, env, resources, labels, annotations, a
 * restart request) needs a new pod.
 */
public final class InPlaceUpdate {

  private InPlaceUpdate() {}

  /**
   * @return the new image per container name when only images differ (at least one), else empty
   */
  public static Optional<Map<String, String>> imageChanges(
      PodTemplateSpec from, PodTemplateSpec to) {
    if (from == null || to == null) {
      return Optional.empty();
    }
    JsonNode fromTree = Serialization.jsonMapper().valueToTree(from);
    JsonNode toTree = Serialization.jsonMapper().valueToTree(to);
    JsonNode fromContainers = fromTree.path("spec").path("containers");
    JsonNode toContainers = toTree.path("spec").path("containers");
    if (!fromContainers.isArray()
        || !toContainers.isArray()
        || fromContainers.size() != toContainers.size()) {
      return Optional.empty();
    }
    Map<String, String> changes = new LinkedHashMap<>();
    for (int i = 0; i < toContainers.size(); i++) {
      JsonNode before = fromContainers.get(i);
      JsonNode after = toContainers.get(i);
      if (!before.path("name").equals(after.path("name"))) {
        return Optional.empty();
      }
      if (!before.path("image").equals(after.path("image"))) {
        changes.put(after.path("name").asText(), after.path("image").asText());
      }
      // Compare the rest with the image taken out.
      ((ObjectNode) ((ArrayNode) fromContainers).get(i)).set("image", after.path("image"));
    }
    if (changes.isEmpty() || !fromTree.equals(toTree)) {
      return Optional.empty();
    }
    return Optional.of(changes);
  }
}
