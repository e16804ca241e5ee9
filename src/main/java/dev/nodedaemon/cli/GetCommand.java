package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodLabels;
import dev.nodedaemon.apply.DaemonPodFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code get [NAME]} (alias {@code list}): the NodeDaemons of the namespace, or of every namespace
 * with {@code -A}, each as a tree of revisions and pods ({@link TreeView}). {@code --watch} redraws
 * it whenever a NodeDaemon, pod or revision changes: informers on the three, no polling.
 */
@Command(
    name = "get",
    aliases = "list",
    description = {
      "Show NodeDaemons as trees: revisions, and the pods of each with node, status and age.",
      "The update revision's pods are grouped by step when the rollout has steps;",
      "with rollingUpdate.prePull, its pre-pull pods follow with their pull state."
    })
final class GetCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME",
      description = "One NodeDaemon; default: all in the namespace.")
  String name;

  @Option(
      names = {"-w", "--watch"},
      description = "Redraw the tree whenever something in it changes, until interrupted.")
  boolean watch;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "0",
      description = "With --watch: stop after this long, such as 5m; 0 watches until interrupted.")
  String timeout;

  /** Clears a terminal and puts the cursor top left, for a redraw in place. */
  private static final String CLEAR_SCREEN = "\033[H\033[2J";

  @Override
  public Integer call() {
    KubeOptions kube = KubeOptions.of(spec);
    if (name != null) {
      kube.refuseAllNamespaces();
    }
    Duration limit;
    try {
      limit = Output.duration(timeout);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), ExitCodes.USAGE);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Cluster cluster = kube.connect()) {
      return cluster.explaining(() -> show(cluster, kube, limit, out));
    }
  }

  private int show(Cluster cluster, KubeOptions kube, Duration limit, PrintWriter out) {
    String namespace = kube.allNamespaces ? null : cluster.namespace();
    if (!watch) {
      // The first read goes alone: it opens the connection (one TLS handshake; HTTP/2 then carries
      // the rest on it). The remaining reads are independent and go out together, so a call waits
      // for the slowest of them rather than their sum (issue 14).
      List<NodeDaemon> nodeDaemons =
          name != null
              ? List.of(cluster.nodeDaemon(name)) // NotFound, said the kubectl way
              : cluster.nodeDaemons(namespace, null);
      try (ExecutorService reads = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<List<Pod>> pods = reads.submit(() -> cluster.ownedPods(namespace, name));
        Future<List<ControllerRevision>> revisions =
            reads.submit(() -> cluster.ownedRevisions(namespace, name));
        // Pre-pull pods exist only where rollingUpdate.prePull is set: no read otherwise.
        Future<List<Pod>> prePulls =
            nodeDaemons.stream().anyMatch(PrePullView::on)
                ? reads.submit(() -> cluster.ownedPrePullPods(namespace, name))
                : null;
        out.print(
            render(
                namespace,
                nodeDaemons,
                result(pods),
                result(revisions),
                prePulls == null ? List.of() : result(prePulls)));
      }
      out.flush();
      return ExitCodes.OK;
    }
    return watch(cluster, namespace, limit, out);
  }

  private int watch(Cluster cluster, String namespace, Duration limit, PrintWriter out) {
    if (name != null) {
      cluster.nodeDaemon(name);
    }
    BlockingQueue<Boolean> changes = new LinkedBlockingQueue<>();
    ResourceEventHandler<HasMetadata> signal =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(HasMetadata object) {
            changes.offer(true);
          }

          @Override
          public void onUpdate(HasMetadata before, HasMetadata after) {
            changes.offer(true);
          }

          @Override
          public void onDelete(HasMetadata object, boolean unknownFinalState) {
            changes.offer(true);
          }
        };
    List<SharedIndexInformer<?>> informers = new ArrayList<>();
    boolean live = StatusCommand.terminal();
    Instant deadline = limit.isZero() ? null : Instant.now().plus(limit);
    try {
      SharedIndexInformer<NodeDaemon> nodeDaemons =
          cluster.informNodeDaemons(namespace, name, signal);
      informers.add(nodeDaemons);
      SharedIndexInformer<Pod> pods = cluster.informOwnedPods(namespace, name, signal);
      informers.add(pods);
      SharedIndexInformer<ControllerRevision> revisions =
          cluster.informOwnedRevisions(namespace, name, signal);
      informers.add(revisions);
      SharedIndexInformer<Pod> prePulls = cluster.informOwnedPrePullPods(namespace, name, signal);
      informers.add(prePulls);
      String last = null;
      while (true) {
        changes.clear();
        String text =
            render(
                namespace,
                sorted(nodeDaemons.getStore().list()),
                pods.getStore().list(),
                revisions.getStore().list(),
                prePulls.getStore().list());
        if (!text.equals(last)) {
          out.print(live ? CLEAR_SCREEN + text : (last == null ? "" : "\n") + text);
          out.flush();
          last = text;
        }
        Boolean change;
        if (deadline == null) {
          change = changes.take();
        } else {
          long left = Duration.between(Instant.now(), deadline).toMillis();
          change = left <= 0 ? null : changes.poll(left, TimeUnit.MILLISECONDS);
        }
        if (change == null) {
          return ExitCodes.OK;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.OK;
    } finally {
      informers.forEach(SharedIndexInformer::close);
    }
  }

  /** The tree of every NodeDaemon given, with what it owns; kubectl's words when there is none. */
  private String render(
      String namespace,
      List<NodeDaemon> nodeDaemons,
      Collection<Pod> pods,
      Collection<ControllerRevision> revisions,
      Collection<Pod> prePullPods) {
    if (nodeDaemons.isEmpty()) {
      return namespace == null
          ? "No resources found\n"
          : "No resources found in " + namespace + " namespace.\n";
    }
    Map<String, List<Pod>> podsByOwner = new HashMap<>();
    for (Pod pod : pods) {
      podsByOwner.computeIfAbsent(owner(pod), k -> new ArrayList<>()).add(pod);
    }
    Map<String, List<ControllerRevision>> revisionsByOwner = new HashMap<>();
    for (ControllerRevision revision : revisions) {
      revisionsByOwner.computeIfAbsent(owner(revision), k -> new ArrayList<>()).add(revision);
    }
    Map<String, List<Pod>> prePullsByOwner = new HashMap<>();
    for (Pod pod : prePullPods) {
      prePullsByOwner
          .computeIfAbsent(owner(pod, PodLabels.PREPULL_LABEL), k -> new ArrayList<>())
          .add(pod);
    }
    List<TreeView.Owned> owned =
        nodeDaemons.stream()
            .map(
                nd -> {
                  String key = key(nd.getMetadata().getNamespace(), nd.getMetadata().getName());
                  return new TreeView.Owned(
                      nd,
                      Revision.sorted(revisionsByOwner.getOrDefault(key, List.of())),
                      podsByOwner.getOrDefault(key, List.of()),
                      prePullsByOwner.getOrDefault(key, List.of()));
                })
            .toList();
    return TreeView.render(owned, Instant.now(), namespace == null);
  }

  /** A parallel read's result; its failure is thrown as the read would have thrown it. */
  private static <T> T result(Future<T> read) {
    try {
      return read.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  private static List<NodeDaemon> sorted(List<NodeDaemon> nodeDaemons) {
    return nodeDaemons.stream()
        .sorted(
            Comparator.comparing((NodeDaemon nd) -> nd.getMetadata().getNamespace())
                .thenComparing(nd -> nd.getMetadata().getName()))
        .toList();
  }

  private static String owner(HasMetadata object) {
    return owner(object, DaemonPodFactory.NODEDAEMON_LABEL);
  }

  /** namespace/NAME of the NodeDaemon the object's {@code label} names. */
  private static String owner(HasMetadata object, String label) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return key(object.getMetadata().getNamespace(), labels == null ? null : labels.get(label));
  }

  private static String key(String namespace, String name) {
    return Objects.toString(namespace) + "/" + Objects.toString(name);
  }
}
