package dev.nodedaemon.apply;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodLabels;
import dev.nodedaemon.placement.DaemonTolerations;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the pod a NodeDaemon runs on one node.
 *
 * <p>The pod goes through the scheduler, pinned by a required node affinity on the node's name as
 * the built-in controller does, so resource fit and ports are still checked. Its name is
 * deterministic in (NodeDaemon, node, revision): two creates for the same node and revision can
 * never both succeed, even from two operator processes or a stale cache.
 */
public final class DaemonPodFactory {

  private DaemonPodFactory() {}

  public static final String NODEDAEMON_LABEL = PodLabels.NODEDAEMON_LABEL;
  public static final String REVISION_LABEL = PodLabels.REVISION_LABEL;
  public static final String NODE_ANNOTATION = PodLabels.NODE_ANNOTATION;

  public static String podName(String nodeDaemonName, String nodeName, String revisionHash) {
    return PodLabels.podName(nodeDaemonName, nodeName, revisionHash);
  }

  public static Pod build(NodeDaemon nodeDaemon, String nodeName, String revisionHash) {
    return build(nodeDaemon, nodeName, revisionHash, nodeDaemon.getSpec().getTemplate());
  }

  /** The pod of an older revision, from the template that revision stores. */
  public static Pod build(
      NodeDaemon nodeDaemon, String nodeName, String revisionHash, PodTemplateSpec source) {
    PodTemplateSpec template = Serialization.clone(source); // never alias the primary's spec
    ObjectMeta metadata =
        template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    Map<String, String> labels =
        new HashMap<>(metadata.getLabels() == null ? Map.of() : metadata.getLabels());
    labels.put(NODEDAEMON_LABEL, nodeDaemon.getMetadata().getName());
    labels.put(REVISION_LABEL, revisionHash);
    Map<String, String> annotations =
        new HashMap<>(metadata.getAnnotations() == null ? Map.of() : metadata.getAnnotations());
    annotations.put(NODE_ANNOTATION, nodeName);

    PodSpec spec = template.getSpec();
    spec.setNodeName(null);
    spec.setRestartPolicy("Always");
    spec.setTolerations(DaemonTolerations.withDefaults(spec));
    spec.setAffinity(pinnedTo(nodeName, spec.getAffinity()));

    Pod pod = new Pod();
    pod.setMetadata(new ObjectMeta());
    pod.getMetadata().setName(podName(nodeDaemon.getMetadata().getName(), nodeName, revisionHash));
    pod.getMetadata().setNamespace(nodeDaemon.getMetadata().getNamespace());
    pod.getMetadata().setLabels(labels);
    pod.getMetadata().setAnnotations(annotations);
    pod.getMetadata().setOwnerReferences(List.of(controllerReference(nodeDaemon)));
    pod.setSpec(spec);
    return pod;
  }

  public static OwnerReference controllerReference(NodeDaemon nodeDaemon) {
    return new OwnerReferenceBuilder()
        .withApiVersion(NodeDaemon.API_VERSION)
        .withKind("NodeDaemon")
        .withName(nodeDaemon.getMetadata().getName())
        .withUid(nodeDaemon.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /**
   * The template's affinity with its required node terms replaced by one term on the node's name,
   * as the built-in controller's ReplaceDaemonSetPodNodeNameNodeAffinity does: the label terms were
   * already checked when the node was found eligible.
   */
  private static Affinity pinnedTo(String nodeName, Affinity templateAffinity) {
    Affinity affinity = templateAffinity == null ? new Affinity() : templateAffinity;
    NodeAffinity nodeAffinity =
        affinity.getNodeAffinity() == null ? new NodeAffinity() : affinity.getNodeAffinity();
    nodeAffinity.setRequiredDuringSchedulingIgnoredDuringExecution(
        new io.fabric8.kubernetes.api.model.NodeSelector(
            List.of(
                new NodeSelectorTermBuilder()
                    .withMatchFields(
                        new NodeSelectorRequirementBuilder()
                            .withKey("metadata.name")
                            .withOperator("In")
                            .withValues(nodeName)
                            .build())
                    .build())));
    affinity.setNodeAffinity(nodeAffinity);
    return affinity;
  }
}
