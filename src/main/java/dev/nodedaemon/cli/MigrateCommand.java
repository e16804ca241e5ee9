package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonSpec;
import dev.nodedaemon.api.PodSelector;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.SelectorRequirement;
import dev.nodedaemon.api.UpdateStrategy;
import dev.nodedaemon.api.UpdateStrategyType;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code migrate daemonset/NAME}: moves an agent from a DaemonSet to a NodeDaemon without
 * restarting it. In order:
 *
 * <ol>
 *   <li>builds the equivalent NodeDaemon (name, selector, template, update strategy,
 *       minReadySeconds, revisionHistoryLimit) and has the API server check it (a dry run);
 *   <li>deletes the DaemonSet with orphan propagation, and waits until the garbage collector has
 *       taken its ownership off the pods, so they run on without a controller;
 *   <li>creates the NodeDaemon, which adopts them: those that run its template are kept as its
 *       current revision, not restarted (the operator compares each against a dry run of its own
 *       pod for that node);
 *   <li>waits until every pod the selector matches is the NodeDaemon's, and reports.
 * </ol>
 *
 * With {@code --dry-run} it prints the NodeDaemon and changes nothing.
 */
@Command(
    name = "migrate",
    description = {
      "Move a DaemonSet's agent to a NodeDaemon without restarting its pods.",
      "Orphans the DaemonSet's pods, creates the equivalent NodeDaemon, waits until it adopted"
          + " every pod."
    })
final class MigrateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "daemonset/NAME", description = "The DaemonSet to move.")
  String target;

  @Option(
      names = "--dry-run",
      description = "Print the NodeDaemon it would create; change nothing.")
  boolean dryRun;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "5m",
      description = "How long to wait for the orphaning and the adoption, such as 5m.")
  String timeout;

  @Override
  public Integer call() {
    KubeOptions kube = KubeOptions.of(spec);
    kube.refuseAllNamespaces();
    String name = daemonSetName(target);
    Duration limit;
    try {
      limit = Output.duration(timeout);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), ExitCodes.USAGE);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Cluster cluster = kube.connect()) {
      DaemonSet daemonSet =
          cluster
              .client()
              .apps()
              .daemonSets()
              .inNamespace(cluster.namespace())
              .withName(name)
              .get();
      if (daemonSet == null) {
        throw CliException.verbatim(
            "Error from server (NotFound): daemonsets.apps \""
                + name
                + "\" not found in namespace \""
                + cluster.namespace()
                + "\"");
      }
      NodeDaemon nodeDaemon = equivalent(daemonSet);
      if (dryRun) {
        out.print(Serialization.asYaml(nodeDaemon));
        return ExitCodes.OK;
      }
      if (cluster.resource(name).get() != null) {
        throw new CliException(
            "a NodeDaemon named \""
                + name
                + "\" already exists in namespace \""
                + cluster.namespace()
                + "\"; nothing was changed");
      }
      try {
        cluster.create(nodeDaemon, true);
      } catch (KubernetesClientException e) {
        throw new CliException(
            "the API server refuses the NodeDaemon made from daemonset/"
                + name
                + ", so the DaemonSet is left as it is: "
                + Errors.describe(e));
      }
      Instant deadline = Instant.now().plus(limit);
      List<Pod> before = pods(cluster, nodeDaemon);
      cluster
          .client()
          .apps()
          .daemonSets()
          .inNamespace(cluster.namespace())
          .withName(name)
          .withPropagationPolicy(DeletionPropagation.ORPHAN)
          .delete();
      out.println("daemonset.apps/" + name + " deleted, its " + before.size() + " pods orphaned");
      await(
          deadline,
          () ->
              cluster
                      .client()
                      .apps()
                      .daemonSets()
                      .inNamespace(cluster.namespace())
                      .withName(name)
                      .get()
                  == null,
          "the DaemonSet to be gone and its pods orphaned");
      NodeDaemon created = cluster.create(nodeDaemon, false);
      out.println(Cluster.displayName(name) + " created");
      String uid = created.getMetadata().getUid();
      await(
          deadline,
          () -> pods(cluster, nodeDaemon).stream().allMatch(p -> ownedBy(p, uid)),
          "the NodeDaemon to adopt every pod");
      // The revision every kept pod is labelled with: the template's, as the operator hashes it.
      String revision = TemplateRevision.hash(cluster.resource(name).get());
      List<Pod> after = pods(cluster, nodeDaemon);
      long kept =
          after.stream()
              .filter(
                  p ->
                      before.stream()
                          .anyMatch(b -> b.getMetadata().getUid().equals(p.getMetadata().getUid())))
              .filter(
                  p ->
                      revision != null
                          && revision.equals(
                              p.getMetadata().getLabels().get("controller-revision-hash")))
              .count();
      out.println(
          Cluster.displayName(name)
              + " adopted "
              + after.size()
              + " pods: "
              + kept
              + " run its template and were kept, not restarted"
              + (after.size() > kept
                  ? "; " + (after.size() - kept) + " differ and are replaced by its rollout"
                  : ""));
      return ExitCodes.OK;
    }
  }

  /** The NodeDaemon that does what the DaemonSet does. */
  static NodeDaemon equivalent(DaemonSet daemonSet) {
    NodeDaemon nodeDaemon = new NodeDaemon();
    Map<String, String> annotations = new HashMap<>();
    String cause =
        daemonSet.getMetadata().getAnnotations() == null
            ? null
            : daemonSet.getMetadata().getAnnotations().get("kubernetes.io/change-cause");
    annotations.put(
        "kubernetes.io/change-cause",
        cause != null ? cause : "migrated from daemonset/" + daemonSet.getMetadata().getName());
    nodeDaemon.setMetadata(
        new ObjectMetaBuilder()
            .withName(daemonSet.getMetadata().getName())
            .withNamespace(daemonSet.getMetadata().getNamespace())
            .withLabels(daemonSet.getMetadata().getLabels())
            .withAnnotations(annotations)
            .build());
    NodeDaemonSpec spec = new NodeDaemonSpec();
    spec.setSelector(selector(daemonSet.getSpec().getSelector()));
    spec.setTemplate(daemonSet.getSpec().getTemplate());
    spec.setMinReadySeconds(daemonSet.getSpec().getMinReadySeconds());
    spec.setRevisionHistoryLimit(daemonSet.getSpec().getRevisionHistoryLimit());
    spec.setUpdateStrategy(strategy(daemonSet.getSpec().getUpdateStrategy()));
    nodeDaemon.setSpec(spec);
    return nodeDaemon;
  }

  private static PodSelector selector(LabelSelector selector) {
    PodSelector result = new PodSelector(selector.getMatchLabels());
    if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
      result.setMatchExpressions(
          selector.getMatchExpressions().stream()
              .map(
                  e -> {
                    SelectorRequirement requirement = new SelectorRequirement();
                    requirement.setKey(e.getKey());
                    requirement.setOperator(e.getOperator());
                    requirement.setValues(e.getValues());
                    return requirement;
                  })
              .toList());
    }
    return result;
  }

  private static UpdateStrategy strategy(DaemonSetUpdateStrategy source) {
    if (source == null) {
      return null;
    }
    UpdateStrategy strategy = new UpdateStrategy();
    if ("OnDelete".equals(source.getType())) {
      strategy.setType(UpdateStrategyType.OnDelete);
      return strategy;
    }
    strategy.setType(UpdateStrategyType.RollingUpdate);
    if (source.getRollingUpdate() != null) {
      RollingUpdate rolling = new RollingUpdate();
      rolling.setMaxUnavailable(source.getRollingUpdate().getMaxUnavailable());
      rolling.setMaxSurge(source.getRollingUpdate().getMaxSurge());
      strategy.setRollingUpdate(rolling);
    }
    return strategy;
  }

  private static String daemonSetName(String target) {
    for (String prefix : List.of("daemonset/", "daemonsets/", "ds/", "daemonset.apps/")) {
      if (target.startsWith(prefix) && target.length() > prefix.length()) {
        return target.substring(prefix.length());
      }
    }
    throw new CliException(
        "migrate takes daemonset/NAME (a DaemonSet), not \"" + target + "\"", ExitCodes.USAGE);
  }

  private static List<Pod> pods(Cluster cluster, NodeDaemon nodeDaemon) {
    return cluster
        .client()
        .pods()
        .inNamespace(cluster.namespace())
        .withLabelSelector(nodeDaemon.getSpec().getSelector().toLabelSelector())
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  private static boolean ownedBy(Pod pod, String uid) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    return owners != null
        && owners.stream()
            .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && uid.equals(o.getUid()));
  }

  private static void await(
      Instant deadline, java.util.function.BooleanSupplier done, String what) {
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new CliException("timed out waiting for " + what);
      }
      try {
        Thread.sleep(500); // a CLI polling the API server, as kubectl wait does
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while waiting for " + what);
      }
    }
  }
}
