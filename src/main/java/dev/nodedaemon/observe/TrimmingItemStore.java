package dev.nodedaemon.observe;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * An informer store that drops the parts of each object the operator never reads before keeping it,
 * so 5,000 nodes and their pods cost what the operator uses, not what the API server sends.
 * managedFields are dropped from everything; from nodes also the image list, node info and volume
 * lists, which are most of a real node's size.
 */
public final class TrimmingItemStore<T extends HasMetadata> implements ItemStore<T> {

  private final BasicItemStore<T> delegate = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
  private final Consumer<T> trim;

  private TrimmingItemStore(Consumer<T> trim) {
    this.trim = trim;
  }

  public static ItemStore<Node> forNodes() {
    return new TrimmingItemStore<Node>(
        node -> {
          node.getMetadata().setManagedFields(null);
          if (node.getStatus() != null) {
            node.getStatus().setImages(null);
            node.getStatus().setNodeInfo(null);
            node.getStatus().setVolumesAttached(null);
            node.getStatus().setVolumesInUse(null);
            node.getStatus().setConfig(null);
          }
        });
  }

  public static ItemStore<Pod> forPods() {
    return new TrimmingItemStore<Pod>(pod -> pod.getMetadata().setManagedFields(null));
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
