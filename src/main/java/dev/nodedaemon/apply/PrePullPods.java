package dev.nodedaemon.apply;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodLabels;
import dev.nodedaemon.api.PrePull;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.events.EventSink;
import dev.nodedaemon.placement.DaemonTolerations;
import dev.nodedaemon.plan.PrePullPlanner;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ImageVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pre-pull pods (rollingUpdate.prePull): built here and written through the {@link PodWriter}.
 *
 * <p>A pre-pull pod pulls the update revision's images on one node without running them: its one
 * container is a pause image, and each distinct image of the template (containers and init
 * containers) is an image volume (Kubernetes ImageVolume, beta, enabled by default on the 1.35 API
 * server this project tests against), which the kubelet pulls, with the template's pull policy and
 * pull secrets, before it starts the pod. So it works with any image: nothing in it is run. The pod
 * is bound to the node by name (no scheduling: it asks for almost nothing), tolerates what the
 * daemon tolerates, shares the daemon's host network setting, is owned by the NodeDaemon (garbage
 * collection removes it with its owner), and carries only the pre-pull labels, never the daemon
 * pods' labels, so no count, selector or adoption sees it. In {@code kubectl get pods}:
 *
 * <pre>
 * NAME                                 READY   STATUS              RESTARTS   AGE
 * agent-prepull-3f2a9c81de-6b7d9f5c4   0/1     ContainerCreating   0          2s    (pulling)
 * agent-prepull-91ce04a7b2-6b7d9f5c4   1/1     Running             0          9s    (pulled)
 * agent-prepull-0d1e2f3a4b-6b7d9f5c4   0/1     ErrImagePull        0          5s    (failed)
 * </pre>
 */
public final class PrePullPods {

  /** The pre-pull pod's container. */
  public static final String CONTAINER = "prepull";

  private final PodWriter writer;
  private final EventSink events;

  public PrePullPods(PodWriter writer, EventSink events) {
    this.writer = writer;
    this.events = events;
  }

  /** Creates and deletes what the plan says; returns the problems met. */
  public List<String> apply(NodeDaemon nodeDaemon, String revision, PrePullPlanner plan) {
    List<String> problems = new ArrayList<>();
    if (plan.creates().isEmpty() && plan.deletes().isEmpty()) {
      return problems;
    }
    for (Pod pod : plan.deletes()) {
      PodWriter.Result result = writer.delete(pod);
      if (result.outcome() == PodWriter.Outcome.FAILED
          || result.outcome() == PodWriter.Outcome.REFUSED) {
        problems.add(
            "delete pre-pull pod " + pod.getMetadata().getName() + ": " + result.message());
      }
    }
    UpdateStrategy strategy = nodeDaemon.getSpec().getUpdateStrategy();
    PrePull settings =
        strategy == null || strategy.getRollingUpdate() == null
            ? null
            : strategy.getRollingUpdate().getPrePull();
    for (String node : plan.creates()) {
      Pod pod = build(nodeDaemon, node, revision, settings);
      PodWriter.Result result = writer.create(pod);
      switch (result.outcome()) {
        case DONE ->
            events.normal(
                nodeDaemon,
                "PrePullStarted",
                "Pulling the images of revision "
                    + revision
                    + " on node "
                    + node
                    + " (pod "
                    + pod.getMetadata().getName()
                    + ")");
        case FAILED, REFUSED -> {
          problems.add("create pre-pull pod on " + node + ": " + result.message());
          events.warning(
              nodeDaemon,
              "FailedPrePull",
              "Error creating pre-pull pod on node " + node + ": " + result.message());
        }
        default -> {}
      }
    }
    return problems;
  }

  /** The pre-pull pod of {@code revision} (the template's) on {@code node}. */
  public static Pod build(NodeDaemon nodeDaemon, String node, String revision, PrePull settings) {
    PodSpec template = nodeDaemon.getSpec().getTemplate().getSpec();
    Map<String, String> images = new LinkedHashMap<>(); // image -> pull policy
    List<Container> all = new ArrayList<>(template.getContainers());
    if (template.getInitContainers() != null) {
      all.addAll(template.getInitContainers());
    }
    for (Container c : all) {
      images.putIfAbsent(c.getImage(), c.getImagePullPolicy());
    }
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, String> image : images.entrySet()) {
      String name = "image-" + i++;
      volumes.add(
          new VolumeBuilder()
              .withName(name)
              .withImage(
                  new ImageVolumeSourceBuilder()
                      .withReference(image.getKey())
                      .withPullPolicy(image.getValue())
                      .build())
              .build());
      mounts.add(
          new VolumeMountBuilder()
              .withName(name)
              .withMountPath("/prepull/" + name)
              .withReadOnly(true)
              .build());
    }
    Container pause =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(
                settings == null ? PrePull.DEFAULT_PAUSE_IMAGE : settings.pauseImageOrDefault())
            .withVolumeMounts(mounts)
            .withNewResources()
            .withRequests(Map.of("cpu", new Quantity("1m"), "memory", new Quantity("8Mi")))
            .withLimits(Map.of("memory", new Quantity("16Mi")))
            .endResources()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withRunAsNonRoot(true)
            .withRunAsUser(65535L)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .build();
    PodSpec spec =
        new PodSpecBuilder()
            .withNodeName(node)
            .withContainers(pause)
            .withVolumes(volumes)
            .withImagePullSecrets(template.getImagePullSecrets())
            .withTolerations(DaemonTolerations.withDefaults(template))
            .withHostNetwork(template.getHostNetwork())
            .withPriorityClassName(template.getPriorityClassName())
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withTerminationGracePeriodSeconds(0L)
            .withRestartPolicy("Always")
            .build();
    Pod pod = new Pod();
    ObjectMeta metadata = new ObjectMeta();
    metadata.setName(PodLabels.prePullPodName(nodeDaemon.getMetadata().getName(), node, revision));
    metadata.setNamespace(nodeDaemon.getMetadata().getNamespace());
    metadata.setLabels(
        Map.of(
            PodLabels.PREPULL_LABEL,
            nodeDaemon.getMetadata().getName(),
            PodLabels.PREPULL_REVISION_LABEL,
            revision));
    metadata.setAnnotations(Map.of(PodLabels.NODE_ANNOTATION, node));
    metadata.setOwnerReferences(List.of(DaemonPodFactory.controllerReference(nodeDaemon)));
    pod.setMetadata(metadata);
    pod.setSpec(spec);
    return pod;
  }
}
