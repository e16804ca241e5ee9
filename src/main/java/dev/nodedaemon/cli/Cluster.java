package dev.nodedaemon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.DaemonPodFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection to the API server and the namespace commands work in, with the reads and writes the
 * commands share. Writes are patches without a resourceVersion, so they never conflict with the
 * operator's status writes; JSON patches carry {@code test} operations where a value must still be
 * what the command read. Every write asks for strict field validation, as kubectl does: a field the
 * installed CRD does not know (a plugin newer than the CRD, a misspelling) is refused with the API
 * server's message instead of being silently dropped while the command reports success.
 */
final class Cluster implements AutoCloseable {

  /** The resource name kubectl prints for a NodeDaemon: {@code nodedaemon.nodedaemon.dev/NAME}. */
  static String displayName(String name) {
    return "nodedaemon." + NodeDaemon.GROUP + "/" + name;
  }

  private final KubernetesClient client;
  private final String namespace;

  private Cluster(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * The client's JSON mapping, shared with {@link #warmUp()}, which prepares it: fabric8's, with
   * each model property's deserializer built when a read first has a value for it ({@link
   * DeferredDeserializers}: a NodeDaemon's pod template alone reaches 182 of them).
   */
  private static final KubernetesSerialization SERIALIZATION =
      new KubernetesSerialization(
          new ObjectMapper().registerModule(new DeferredDeserializers()), true);

  private static final AtomicBoolean WARMING = new AtomicBoolean();

  /**
   * Starts, on a second thread, work every call to the API server needs that does not depend on the
   * kubeconfig, while this thread reads the kubeconfig and builds the client (~0.4 s of CPU in a
   * fresh JVM): the P-256 tables that the TLS handshake's key share and an EC server certificate
   * need (the JDK computes 64 points when it first uses the curve, ~0.1 s), then Jackson's
   * deserializers for the NodeDaemon, pod and revision lists the commands read (their top level:
   * the rest is built as the reads need it, see {@link #SERIALIZATION}), and with them Jackson's
   * own set-up. With a free core the call's wall time drops by about that much (issue 14); on a
   * busy machine the work is the same, only done sooner. Best effort: should any of it fail, the
   * call does the same work itself when it gets there.
   */
  private static void warmUp() {
    if (!WARMING.compareAndSet(false, true)) {
      return;
    }
    Thread.ofPlatform()
        .daemon()
        .name("kubectl-nodedaemon-warm-up")
        .start(
            () -> {
              try {
                KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
                ec.initialize(256);
                ec.generateKeyPair();
                SERIALIZATION.convertValue(Map.of(), NodeDaemon.class);
                SERIALIZATION.convertValue(Map.of(), PodList.class);
                SERIALIZATION.convertValue(Map.of(), ControllerRevisionList.class);
              } catch (GeneralSecurityException | RuntimeException e) {
                // Nothing to do: the call pays for it later instead.
              }
            });
  }

  static Cluster connect(KubeOptions options) {
    warmUp();
    Path kubeconfig = options.kubeconfig;
    String context = options.context;
    String namespace = options.namespace;
    Duration requestTimeout = options.requestTimeout();
    Config config;
    if (kubeconfig != null) {
      if (!Files.isReadable(kubeconfig)) {
        throw new CliException("cannot read kubeconfig " + kubeconfig);
      }
      config = Config.fromKubeconfig(context, kubeconfig.toFile());
    } else {
      config = Config.autoConfigure(context);
    }
    if (context != null
        && (config.getCurrentContext() == null
            || !context.equals(config.getCurrentContext().getName()))) {
      throw new CliException("context was not found for specified context: " + context);
    }
    // A CLI answers at once: no retries with back-off on a refused connection.
    ConfigBuilder builder = new ConfigBuilder(config).withRequestRetryBackoffLimit(1);
    if (!requestTimeout.isZero()) {
      int millis = (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis());
      builder.withRequestTimeout(millis).withConnectionTimeout(millis);
    }
    if (options.as != null) {
      builder.withImpersonateUsername(options.as);
    }
    if (options.asGroups != null && !options.asGroups.isEmpty()) {
      builder.withImpersonateGroups(options.asGroups.toArray(String[]::new));
    }
    config = builder.build();
    String ns = namespace != null ? namespace : config.getNamespace();
    // The JDK's own HTTP client (java.net.http), named explicitly: a call starts no Vert.x and
    // Netty event loops, which cost more than the reads themselves (issue 14). The Quarkus
    // factory, which the ServiceLoader would pick first, serves the operator only.
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientFactory(new StoppingJdkHttpClientFactory())
            .withKubernetesSerialization(SERIALIZATION)
            .build();
    return new Cluster(client, ns == null || ns.isEmpty() ? "default" : ns);
  }

  /**
   * Runs a command's work; a connection the server refuses is said as kubectl says it, naming the
   * server.
   */
  <T> T explaining(java.util.function.Supplier<T> work) {
    try {
      return work.get();
    } catch (KubernetesClientException e) {
      throw Errors.refused(e, client.getMasterUrl().toString())
          .map(CliException::verbatim)
          .orElseThrow(() -> e);
    }
  }

  KubernetesClient client() {
    return client;
  }

  String namespace() {
    return namespace;
  }

  Resource<NodeDaemon> resource(String name) {
    return client.resources(NodeDaemon.class).inNamespace(namespace).withName(name);
  }

  /**
   * The NodeDaemon, or kubectl's NotFound error naming the namespace looked in, and the namespaces
   * that do have a NodeDaemon of that name (the usual mistake is the namespace).
   */
  NodeDaemon nodeDaemon(String name) {
    NodeDaemon nodeDaemon = resource(name).get();
    if (nodeDaemon == null) {
      throw CliException.verbatim(notFound(name, namespace, elsewhere(name)));
    }
    return nodeDaemon;
  }

  /**
   * {@code Error from server (NotFound): nodedaemons.nodedaemon.dev "x" not found in namespace "y"}
   */
  static String notFound(String name, String namespace, List<String> elsewhere) {
    return "Error from server (NotFound): nodedaemons."
        + NodeDaemon.GROUP
        + " \""
        + name
        + "\" not found in namespace \""
        + namespace
        + "\""
        + (elsewhere.isEmpty()
            ? ""
            : "; it exists in namespace "
                + String.join(", ", elsewhere)
                + " (use -n "
                + elsewhere.get(0)
                + ")");
  }

  /** Namespaces with a NodeDaemon of this name; empty when the user may not list them. */
  private List<String> elsewhere(String name) {
    try {
      return client
          .resources(NodeDaemon.class)
          .inAnyNamespace()
          .withField("metadata.name", name)
          .list()
          .getItems()
          .stream()
          .map(n -> n.getMetadata().getNamespace())
          .sorted()
          .toList();
    } catch (KubernetesClientException e) {
      return List.of();
    }
  }

  /** NodeDaemons in {@code namespace} (null: every namespace), or the one named. */
  List<NodeDaemon> nodeDaemons(String namespace, String name) {
    var all = client.resources(NodeDaemon.class);
    var in = namespace == null ? all.inAnyNamespace() : all.inNamespace(namespace);
    var items = (name == null ? in : in.withField("metadata.name", name)).list().getItems();
    return items.stream()
        .sorted(
            java.util.Comparator.comparing((NodeDaemon nd) -> nd.getMetadata().getNamespace())
                .thenComparing(nd -> nd.getMetadata().getName()))
        .toList();
  }

  /** Pods that NodeDaemons own (by their label), of one NodeDaemon when named. */
  List<Pod> ownedPods(String namespace, String name) {
    var pods =
        namespace == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(namespace);
    return (name == null
            ? pods.withLabel(DaemonPodFactory.NODEDAEMON_LABEL)
            : pods.withLabel(DaemonPodFactory.NODEDAEMON_LABEL, name))
        .list()
        .getItems();
  }

  /** ControllerRevisions that NodeDaemons own, of one NodeDaemon when named. */
  List<ControllerRevision> ownedRevisions(String namespace, String name) {
    var all = client.resources(ControllerRevision.class);
    var revisions = namespace == null ? all.inAnyNamespace() : all.inNamespace(namespace);
    return (name == null
            ? revisions.withLabel(DaemonPodFactory.NODEDAEMON_LABEL)
            : revisions.withLabel(DaemonPodFactory.NODEDAEMON_LABEL, name))
        .list()
        .getItems();
  }

  /**
   * Image pre-pull pods (rollingUpdate.prePull) of NodeDaemons, of one NodeDaemon when named; they
   * carry the {@code nodedaemon.dev/prepull-for} label instead of the daemon pods' one.
   */
  List<Pod> ownedPrePullPods(String namespace, String name) {
    return prePullSelection(namespace, name).list().getItems();
  }

  SharedIndexInformer<Pod> informOwnedPrePullPods(
      String namespace, String name, ResourceEventHandler<? super Pod> handler) {
    return prePullSelection(namespace, name).inform(handler);
  }

  private io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable<
          Pod,
          io.fabric8.kubernetes.api.model.PodList,
          io.fabric8.kubernetes.client.dsl.PodResource>
      prePullSelection(String namespace, String name) {
    var pods =
        namespace == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(namespace);
    return name == null
        ? pods.withLabel(dev.nodedaemon.api.PodLabels.PREPULL_LABEL)
        : pods.withLabel(dev.nodedaemon.api.PodLabels.PREPULL_LABEL, name);
  }

  SharedIndexInformer<NodeDaemon> informNodeDaemons(
      String namespace, String name, ResourceEventHandler<? super NodeDaemon> handler) {
    var all = client.resources(NodeDaemon.class);
    var in = namespace == null ? all.inAnyNamespace() : all.inNamespace(namespace);
    return (name == null ? in : in.withField("metadata.name", name)).inform(handler);
  }

  SharedIndexInformer<Pod> informOwnedPods(
      String namespace, String name, ResourceEventHandler<? super Pod> handler) {
    var pods =
        namespace == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(namespace);
    return (name == null
            ? pods.withLabel(DaemonPodFactory.NODEDAEMON_LABEL)
            : pods.withLabel(DaemonPodFactory.NODEDAEMON_LABEL, name))
        .inform(handler);
  }

  SharedIndexInformer<ControllerRevision> informOwnedRevisions(
      String namespace, String name, ResourceEventHandler<? super ControllerRevision> handler) {
    var all = client.resources(ControllerRevision.class);
    var revisions = namespace == null ? all.inAnyNamespace() : all.inNamespace(namespace);
    return (name == null
            ? revisions.withLabel(DaemonPodFactory.NODEDAEMON_LABEL)
            : revisions.withLabel(DaemonPodFactory.NODEDAEMON_LABEL, name))
        .inform(handler);
  }

  List<Revision> revisions(String name) {
    List<ControllerRevision> owned =
        client
            .resources(ControllerRevision.class)
            .inNamespace(namespace)
            .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, name)
            .list()
            .getItems();
    return Revision.sorted(owned);
  }

  List<Pod> pods(String name) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, name)
        .list()
        .getItems();
  }

  /** The NodeDaemon's pre-pull pods (rollingUpdate.prePull), by the label the operator sets. */
  List<Pod> prePullPods(String name) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel(dev.nodedaemon.api.PodLabels.PREPULL_LABEL, name)
        .list()
        .getItems();
  }

  void mergePatch(String name, String patch) {
    resource(name).patch(strict(PatchType.JSON_MERGE), patch);
  }

  void jsonPatch(String name, String patch) {
    resource(name).patch(strict(PatchType.JSON), patch);
  }

  /** Creates the NodeDaemon, or with {@code dryRun} only asks whether the API server would. */
  NodeDaemon create(NodeDaemon nodeDaemon, boolean dryRun) {
    Resource<NodeDaemon> resource =
        client.resources(NodeDaemon.class).inNamespace(namespace).resource(nodeDaemon);
    io.fabric8.kubernetes.client.dsl.WritableOperation<NodeDaemon> write =
        dryRun ? resource.dryRun() : resource;
    return write.fieldValidation(FieldValidateable.Validation.STRICT).create();
  }

  private static PatchContext strict(PatchType type) {
    return new PatchContext.Builder()
        .withPatchType(type)
        .withFieldValidation(FieldValidateable.Validation.STRICT.parameterValue())
        .build();
  }

  @Override
  public void close() {
    client.close();
  }
}
