package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;

/**
 * Image pre-pull (rollingUpdate.prePull; off when absent): before a node's pod is replaced, the new
 * revision's images are pulled on that node by a pre-pull pod, whose only container is a pause
 * image and whose image volumes (Kubernetes ImageVolume) reference the new images, so the pull
 * needs no shell or binary in those images. docs/rollout-order.md shows the pods.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrePull {

  public static final int DEFAULT_NODES_AHEAD = 3;
  public static final String DEFAULT_PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "How many nodes ahead of the rollout front get the new images pulled: the next nodes, in"
          + " rollout order, whose pods the update has not touched yet. A node's pod is replaced"
          + " only once its pull is done, so a value below maxUnavailable slows the rollout to"
          + " it. Defaults to 3.")
  private Integer nodesAhead;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Most pre-pull pods pulling (not yet ready) at once. Defaults to nodesAhead.")
  private Integer maxConcurrent;

  @Size(max = 512)
  @JsonPropertyDescription(
      "The image of the pre-pull pod's one container, which only holds the image volumes."
          + " Defaults to registry.k8s.io/pause:3.10.")
  private String pauseImage;

  public Integer getNodesAhead() {
    return nodesAhead;
  }

  public void setNodesAhead(Integer nodesAhead) {
    this.nodesAhead = nodesAhead;
  }

  public Integer getMaxConcurrent() {
    return maxConcurrent;
  }

  public void setMaxConcurrent(Integer maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
  }

  public String getPauseImage() {
    return pauseImage;
  }

  public void setPauseImage(String pauseImage) {
    this.pauseImage = pauseImage;
  }

  public int nodesAheadOrDefault() {
    return nodesAhead == null ? DEFAULT_NODES_AHEAD : nodesAhead;
  }

  public int maxConcurrentOrDefault() {
    return maxConcurrent == null ? nodesAheadOrDefault() : maxConcurrent;
  }

  public String pauseImageOrDefault() {
    return pauseImage == null || pauseImage.isBlank() ? DEFAULT_PAUSE_IMAGE : pauseImage;
  }
}
