package dev.nodedaemon.observe;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * An informer store that keeps of each object only what the operator reads, so 5,000 nodes and
 * their pods cost what the operator uses, not what the API server sends. What is kept was found by
 * reading every use of a cached Node or Pod (the informers' objects are never written back: pods
 * are changed by JSON patches preconditioned on their resourceVersion, and adoption lists its
 * candidates from the API server):
 *
 * <ul>
 *   <li>metadata: all but managedFields (names, labels, annotations, ownerReferences,
 *       deletionTimestamp and grace period, resourceVersion, uid, creationTimestamp), and of a node
 *       not its annotations, which nothing reads;
 *   <li>pod spec: nodeName, affinity, tolerations, hostNetwork, and each container's name, image
 *       and ports (in order: an in-place patch addresses containers by index); not volumes, env,
 *       resources, probes, mounts and the rest of the containers;
 *   <li>pod status: phase, reason, message, conditions and containerStatuses (restartCount, state,
 *       lastState, ready, started, image and imageID for the health gates and in-place updates);
 *       not pod and host IPs, QoS class or init container statuses;
 *   <li>node spec: taints and unschedulable; node status: conditions only (the Ready condition and
 *       its lastTransitionTime); not addresses, capacity, images, node info or volumes.
 * </ul>
 */
public final class TrimmingItemStore<T extends HasMetadata> implements ItemStore<T> {

  private final BasicItemStore<T> delegate = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
  private final Consumer<T> trim;

  private TrimmingItemStore(Consumer<T> trim) {
    this.trim = trim;
  }

  public static ItemStore<Node> forNodes() {
    return new TrimmingItemStore<>(TrimmingItemStore::trimNode);
  }

  public static ItemStore<Pod> forPods() {
    return new TrimmingItemStore<>(TrimmingItemStore::trimPod);
  }

  static void trimNode(Node node) {
    node.getMetadata().setManagedFields(null);
    // Emptied, not null: the SDK's informer event source reads the annotations of every object
    // (InformerEventSource.isEventKnownFromAnnotation), and a null map drops the node's events.
    node.getMetadata().setAnnotations(java.util.Map.of());
    NodeSpec spec = node.getSpec();
    if (spec != null) {
      NodeSpec kept = new NodeSpec();
      kept.setTaints(spec.getTaints());
      kept.setUnschedulable(spec.getUnschedulable());
      node.setSpec(kept);
    }
    NodeStatus status = node.getStatus();
    if (status != null) {
      NodeStatus kept = new NodeStatus();
      kept.setConditions(status.getConditions());
      node.setStatus(kept);
    }
  }

  static void trimPod(Pod pod) {
    pod.getMetadata().setManagedFields(null);
    PodSpec spec = pod.getSpec();
    if (spec != null) {
      PodSpec kept = new PodSpec();
      kept.setNodeName(spec.getNodeName());
      kept.setAffinity(spec.getAffinity());
      kept.setTolerations(spec.getTolerations());
      kept.setHostNetwork(spec.getHostNetwork());
      List<Container> containers = new ArrayList<>();
      for (Container container :
          spec.getContainers() == null ? List.<Container>of() : spec.getContainers()) {
        Container slim = new Container();
        slim.setName(container.getName());
        slim.setImage(container.getImage());
        slim.setPorts(container.getPorts());
        containers.add(slim);
      }
      kept.setContainers(containers);
      pod.setSpec(kept);
    }
    PodStatus status = pod.getStatus();
    if (status != null) {
      PodStatus kept = new PodStatus();
      kept.setPhase(status.getPhase());
      kept.setReason(status.getReason());
      kept.setMessage(status.getMessage());
      kept.setConditions(status.getConditions());
      kept.setContainerStatuses(status.getContainerStatuses());
      for (ContainerStatus container :
          status.getContainerStatuses() == null
              ? List.<ContainerStatus>of()
              : status.getContainerStatuses()) {
        container.setResources(null);
        container.setAllocatedResources(null);
        container.setVolumeMounts(null);
        container.setUser(null);
      }
      pod.setStatus(kept);
    }
  }

  @Override
  public String getKey(T object) {
    return delegate.getKey(object);
  }

  @Override
  public T put(String key, T object) {
    trim.accept(object);
    return delegate.put(key, object);
  }

  @Override
  public T remove(String key) {
    return delegate.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return delegate.keySet();
  }

  @Override
  public Stream<T> values() {
    return delegate.values();
  }

  @Override
  public int size() {
    return delegate.size();
  }

  @Override
  public T get(String key) {
    return delegate.get(key);
  }
}
