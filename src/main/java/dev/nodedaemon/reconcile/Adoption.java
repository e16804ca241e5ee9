package dev.nodedaemon.reconcile;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodSelector;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.apply.PodWriter;
import dev.nodedaemon.events.EventSink;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.observe.Ownership;
import dev.nodedaemon.observe.SameTemplate;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Adopts pods that match a NodeDaemon's selector but have no controller, as the built-in controller
 * claims orphans: so a DaemonSet deleted with {@code --cascade=orphan} can be replaced by a
 * NodeDaemon without restarting its pods. A pod that is, semantically, the pod the NodeDaemon's
 * template makes for its node ({@link SameTemplate}, against a server-side dry run of that pod) is
 * labelled with the update revision and kept; any other is adopted as an old revision, which the
 * rollout then replaces within its budget.
 *
 * <p>When to look: on the first reconcile of a NodeDaemon in this process, after each spec change,
 * and every two minutes. Where: an orphan NodeDaemon never labelled (a DaemonSet's pod, a stray) is
 * not in the pod informer, which holds only pods with the NodeDaemon label to keep other workloads
 * out of memory; those are listed from the API server by the selector <em>and</em> "without the
 * NodeDaemon label", so the NodeDaemon's own pods, which are most of what the selector matches, are
 * not sent at all (listing them cost 10 pages of 500 whole pods at 5,000 nodes, in the first
 * reconcile after every start: bench/results/start-phases.md). An orphan that carries the label
 * (its NodeDaemon was deleted with {@code --cascade=orphan}) is in the informer cache; the caller
 * passes those, and each is read whole from the API server before it is judged, since the cache
 * keeps trimmed pods.
 */
final class Adoption {

  private static final Logger LOG = Logger.getLogger(Adoption.class);
  private static final Duration RESCAN = Duration.ofMinutes(2);
  private static final long PAGE = 500;

  private record Scan(long generation, Instant at) {}

  /**
   * What a scan claimed.
   *
   * @param adopted the pods it adopted
   * @param retrySoon a pod changed while it was being adopted; the next reconcile lists again, and
   *     until then the orphan's node must not get a pod of its own
   */
  record Claims(List<Pod> adopted, boolean retrySoon) {
    static final Claims NONE = new Claims(List.of(), false);

    boolean any() {
      return !adopted.isEmpty() || retrySoon;
    }
  }

  private final KubernetesClient client;
  private final PodWriter writer;
  private final EventSink events;
  private final Map<String, Scan> lastScan = new ConcurrentHashMap<>();

  Adoption(KubernetesClient client, PodWriter writer, EventSink events) {
    this.client = client;
    this.writer = writer;
    this.events = events;
  }

  /**
   * Adopts the NodeDaemon's orphans. The pod informer shows each adopted pod only once its adoption
   * patch (which adds the daemon label) comes back on the watch, so the caller expects them as it
   * expects pods it created: a reconcile that runs in between must not take an adopted pod's node
   * for an empty one.
   */
  Claims adoptOrphans(
      NodeDaemon nodeDaemon,
      String updateRevision,
      Instant now,
      Supplier<List<Pod>> labelledWithoutController) {
    String uid = nodeDaemon.getMetadata().getUid();
    long generation = nodeDaemon.getMetadata().getGeneration();
    Scan previous = lastScan.get(uid);
    if (previous != null
        && previous.generation() == generation
        && previous.at().plus(RESCAN).isAfter(now)) {
      return Claims.NONE;
    }
    lastScan.put(uid, new Scan(generation, now));
    String namespace = nodeDaemon.getMetadata().getNamespace();
    PodSelector selector = nodeDaemon.getSpec().getSelector();
    List<Pod> candidates = new ArrayList<>();
    try {
      for (Pod cached : labelledWithoutController.get()) {
        if (selector.matches(cached.getMetadata().getLabels())) {
          // A list by name, not a get: the operator's RBAC grants list and watch on pods, no get.
          Pod whole =
              client
                  .pods()
                  .inNamespace(namespace)
                  .withField("metadata.name", name(cached))
                  .list()
                  .getItems()
                  .stream()
                  .findFirst()
                  .orElse(null);
          if (whole != null) {
            candidates.add(whole);
          }
        }
      }
      // Page by page (a selector with few own pods excluded can still match many strays).
      LabelSelector unlabelled =
          new LabelSelectorBuilder(selector.toLabelSelector())
              .addNewMatchExpression()
              .withKey(DaemonPodFactory.NODEDAEMON_LABEL)
              .withOperator("DoesNotExist")
              .endMatchExpression()
              .build();
      String next = null;
      do {
        PodList page =
            client
                .pods()
                .inNamespace(namespace)
                .withLabelSelector(unlabelled)
                .list(new ListOptionsBuilder().withLimit(PAGE).withContinue(next).build());
        candidates.addAll(page.getItems()); // those with a controller are skipped below
        next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
      } while (next != null && !next.isEmpty());
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "listing adoption candidates for %s failed: %s",
          nodeDaemon.getMetadata().getName(), e.getMessage());
      lastScan.remove(uid);
      return Claims.NONE;
    }
    List<Pod> adopted = new ArrayList<>();
    boolean retrySoon = false;
    for (Pod pod : candidates) {
      if (hasController(pod) || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      Optional<Boolean> answer = isCurrent(nodeDaemon, updateRevision, pod);
      if (answer.isEmpty()) {
        // Adopted as old it would be replaced: a restart that migration promises not to make.
        retrySoon = true;
        lastScan.remove(uid);
        continue;
      }
      boolean current = answer.get();
      PodWriter.Result result =
          writer.adopt(
              pod,
              DaemonPodFactory.controllerReference(nodeDaemon),
              nodeDaemon.getMetadata().getName(),
              current ? updateRevision : null);
      if (result.outcome() == PodWriter.Outcome.DONE) {
        adopted.add(pod);
        events.normal(
            nodeDaemon,
            "SuccessfulAdopt",
            "Adopted pod: "
                + pod.getMetadata().getName()
                + (current
                    ? " (it runs the current template: kept as revision " + updateRevision + ")"
                    : " (another template: the rollout replaces it)"));
      } else if (result.outcome() == PodWriter.Outcome.CONFLICT) {
        retrySoon = true;
        lastScan.remove(uid);
      }
    }
    return new Claims(adopted, retrySoon);
  }

  /**
   * Whether the pod is what the NodeDaemon's template would make on its node, asked of the API
   * server (a dry run gives the pod after defaulting and admission). Empty when the API server did
   * not answer (an error of its own, a timeout), so the caller asks again; a refusal of the
   * template (4xx) means no.
   */
  private Optional<Boolean> isCurrent(NodeDaemon nodeDaemon, String updateRevision, Pod pod) {
    Optional<String> node = DaemonPods.targetNode(pod);
    if (node.isEmpty()) {
      return Optional.of(false);
    }
    Pod expected = DaemonPodFactory.build(nodeDaemon, node.get(), updateRevision);
    expected.getMetadata().setGenerateName(expected.getMetadata().getName() + "-");
    expected.getMetadata().setName(null);
    try {
      Pod admitted =
          client
              .pods()
              .inNamespace(nodeDaemon.getMetadata().getNamespace())
              .resource(expected)
              .dryRun()
              .create();
      return Optional.of(SameTemplate.matches(admitted, pod));
    } catch (KubernetesClientException e) {
      boolean refused = e.getCode() >= 400 && e.getCode() < 500 && e.getCode() != 429;
      LOG.infof(
          "dry run of %s's pod for node %s failed (%s): %s",
          nodeDaemon.getMetadata().getName(),
          node.get(),
          refused
              ? "refused, adopting " + pod.getMetadata().getName() + " as an old revision"
              : "no answer, asking again before adopting " + pod.getMetadata().getName(),
          e.getMessage());
      return refused ? Optional.of(false) : Optional.empty();
    }
  }

  /** Whether a controller (a DaemonSet, a NodeDaemon, ...) owns the pod: then it is no orphan. */
  static boolean hasController(Pod pod) {
    return Ownership.controller(pod).isPresent();
  }

  private static String name(Pod pod) {
    return pod.getMetadata().getName();
  }

  /** Drops what is kept for NodeDaemons that no longer exist. */
  void retainOnly(Set<String> nodeDaemonUids) {
    lastScan.keySet().retainAll(nodeDaemonUids);
  }
}
