package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.config.CrdInstaller;
import dev.nodedaemon.testing.AuditLog;
import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.DeploymentEnvironment;
import dev.nodedaemon.testing.Helm;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.OperatorProcess;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart installed, upgraded and uninstalled with helm on a control plane of its own (so the CRD
 * is Helm's to install, and no other operator runs there).
 *
 * <p>Fake nodes run no containers, so the operator the Deployment describes is run as a process
 * instead: with a token of the chart's ServiceAccount and the environment of the installed
 * Deployment. It reconciles a NodeDaemon through rollouts, a rollback, an adoption and a node
 * leaving, which proves the chart's RBAC is enough; the API server's audit log then shows every
 * call it made, and each rule of the chart must have been used (least privilege).
 */
class HelmChartIT {

  private static final String RELEASE = "nodedaemon";
  private static final String RELEASE_NAMESPACE = "nodedaemon-system";
  private static final String SERVICE_ACCOUNT = "nodedaemon";
  private static final String OPERATOR_USER =
      "system:serviceaccount:" + RELEASE_NAMESPACE + ":" + SERVICE_ACCOUNT;
  private static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

  /** Calls every authenticated user may make (system:basic-user); the SDK checks its rights so. */
  private static final Set<String> SELF_REVIEWS =
      Set.of("selfsubjectrulesreviews", "selfsubjectaccessreviews", "selfsubjectreviews");

  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.up("helm-" + ProcessHandle.current().pid(), 2);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void installRunUpgradeAndUninstall() throws Exception {
    KubernetesClient client = cluster.client();
    Helm helm = Helm.on(cluster);
    TestFleet fleet = new TestFleet(cluster, "watched");
    TestFleet unwatched = new TestFleet(cluster, "unwatched");
    // The operator's pods must be admitted under the restricted Pod Security Standard.
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(RELEASE_NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata()
                .build())
        .create();

    // Install: the CRD (from templates/, kept on uninstall), and the operator watching one
    // namespace.
    String installed =
        helm.run(
            "install",
            RELEASE,
            Helm.CHART.toString(),
            "--namespace",
            RELEASE_NAMESPACE,
            "--set",
            "watch.scope=namespaces",
            "--set",
            "watch.namespaces={" + fleet.namespace() + "}",
            "--wait",
            "--timeout",
            "3m");
    System.out.println("helm install:\n" + installed);
    assertThat(installed).contains("STATUS: deployed");
    CustomResourceDefinition crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("nodedaemons.nodedaemon.dev")
            .get();
    assertThat(crd).as("the CRD Helm installed").isNotNull();
    assertThat(crd.getSpec().getVersions().getFirst().getSchema())
        .isEqualTo(CrdInstaller.generatedCrd().getSpec().getVersions().getFirst().getSchema());
    Deployment deployment = deployment(client);
    assertThat(deployment.getStatus().getReadyReplicas())
        .as("both replicas admitted as restricted pods (and 'run' by kwok)")
        .isEqualTo(2);

    // The operator, as the Deployment's first pod would run it.
    List<String> nodes = fleet.addNodes("n", 2);
    createOrphan(fleet, "agent", nodes.getFirst());
    try (OperatorProcess operator = startAsDeployment(client, "helm-1")) {
      NodeDaemon agent = fleet.logAgent("agent");
      agent.getSpec().setRevisionHistoryLimit(1);
      fleet.create(agent);
      unwatched.create(unwatched.logAgent("agent"));
      fleet.awaitReadyOnExactly("agent", nodes);
      fleet.awaitEvents("agent", "SuccessfulAdopt", 1, Duration.ofSeconds(30));

      // Rollouts: v2, back to v2.5.2 (its revision renumbered), v3 (v2's revision pruned). Each
      // one completes before the next: until then status.currentRevision still names the revision
      // before it, and the pruning keeps that one as the rollback target instead.
      for (String tag : List.of("v2", "v2.5.2", "v3")) {
        String image = "quay.io/fluentd_elasticsearch/fluentd:" + tag;
        fleet.setImage("agent", image);
        fleet.awaitAllOnImage("agent", nodes, image);
        fleet.awaitStatus(
            "agent",
            nd ->
                nd.getStatus() != null
                    && Objects.equals(
                        nd.getStatus().getObservedGeneration(), nd.getMetadata().getGeneration())
                    && nd.getStatus().getPhase() == RolloutPhase.Complete
                    && Objects.equals(
                        nd.getStatus().getCurrentRevision(), nd.getStatus().getUpdateRevision()));
      }
      client
          .apps()
          .controllerRevisions()
          .inNamespace(fleet.namespace())
          .informOnCondition(revisions -> revisions.size() == 2)
          .get(60, TimeUnit.SECONDS);
      // A rollback, done by the operator: it writes the previous template back into the spec.
      fleet.patch("agent", "[{\"op\": \"add\", \"path\": \"/spec/rollbackTo\", \"value\": {}}]");
      fleet.awaitEvents("agent", "RolledBack", 1, Duration.ofSeconds(60));
      assertThat(
              fleet
                  .get("agent")
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .getFirst()
                  .getImage())
          .as("the template after the rollback; events: %s", fleet.eventReasons("agent"))
          .isEqualTo("quay.io/fluentd_elasticsearch/fluentd:v2.5.2");
      fleet.awaitAllOnImage("agent", nodes, "quay.io/fluentd_elasticsearch/fluentd:v2.5.2");
      // A node that loses its label loses its pod.
      client.nodes().withName(nodes.getLast()).edit(n -> removeLabel(n, TestFleet.TEST_LABEL));
      fleet.awaitReadyOnExactly("agent", nodes.subList(0, 1));

      assertThat(
              client
                  .resources(NodeDaemon.class)
                  .inNamespace(unwatched.namespace())
                  .withName("agent")
                  .get()
                  .getStatus())
          .as("a NodeDaemon outside the watched namespaces is left alone")
          .isNull();
      assertThat(
              client
                  .leases()
                  .inNamespace(RELEASE_NAMESPACE)
                  .withName("nodedaemon-operator")
                  .get()
                  .getSpec()
                  .getHolderIdentity())
          .isEqualTo(operatorPodName(client));
      assertThat(operator.logText()).doesNotContain("is forbidden");
    }

    checkRbacAgainstAuditLog(client);
    blockOwnerDeletionNeedsTheFinalizersRule(client, fleet);
    helmTestPodIsAdmittedAsRestricted();

    // Upgrade: a third replica, and the second namespace watched too.
    String upgraded =
        helm.run(
            "upgrade",
            RELEASE,
            Helm.CHART.toString(),
            "--namespace",
            RELEASE_NAMESPACE,
            "--reuse-values",
            "--set",
            "replicaCount=3",
            "--set",
            "watch.namespaces={" + fleet.namespace() + "," + unwatched.namespace() + "}",
            "--wait",
            "--timeout",
            "3m");
    assertThat(upgraded).contains("REVISION: 2");
    deployment = deployment(client);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment.getStatus().getReadyReplicas()).isEqualTo(3);
    assertThat(
            DeploymentEnvironment.of(deployment, "x")
                .get("QUARKUS_OPERATOR_SDK_CONTROLLERS_NODEDAEMON_NAMESPACES"))
        .isEqualTo(fleet.namespace() + "," + unwatched.namespace());
    assertThat(
            client
                .rbac()
                .roleBindings()
                .inNamespace(unwatched.namespace())
                .withName("nodedaemon-workloads")
                .get())
        .isNotNull();
    try (OperatorProcess operator = startAsDeployment(client, "helm-2")) {
      unwatched.awaitStatus("agent", nd -> nd.getStatus() != null);
      assertThat(operator.logText()).doesNotContain("is forbidden");
    }

    // Uninstall: nothing of the release is left; the CRD stays (helm.sh/resource-policy: keep).
    helm.run("uninstall", RELEASE, "--namespace", RELEASE_NAMESPACE, "--wait");
    Awaitility.await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(leftovers(client, fleet, unwatched)).isEmpty());
    assertThat(
            client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("nodedaemons.nodedaemon.dev")
                .get())
        .isNotNull();
  }

  /**
   * Every call the operator made as the chart's ServiceAccount was allowed by the chart's rules,
   * and every rule was needed.
   */
  private static void checkRbacAgainstAuditLog(KubernetesClient client) {
    List<Grant> grants = grants(client);
    List<AuditLog.Call> calls =
        cluster.auditLog().callsBy(OPERATOR_USER).stream()
            .filter(c -> !SELF_REVIEWS.contains(c.resource()))
            .toList();

    Map<String, Integer> table = new TreeMap<>();
    calls.forEach(
        c ->
            table.merge(
                String.format(
                    "%-7s %-35s %-22s %d",
                    c.verb(),
                    (c.group().isEmpty() ? "" : c.group() + "/") + c.rbacResource(),
                    c.namespace().isEmpty() ? "(cluster)" : c.namespace(),
                    c.code()),
                1,
                Integer::sum));
    System.out.println("API calls of " + OPERATOR_USER + " (verb, resource, namespace, code):");
    table.forEach((k, n) -> System.out.printf("  %s  x%d%n", k, n));

    assertThat(calls).as("calls in the audit log").isNotEmpty();
    assertThat(calls)
        .as("calls the chart's RBAC refused")
        .filteredOn(c -> c.code() == 403)
        .isEmpty();
    assertThat(calls)
        .as("calls no rule of the chart allows")
        .filteredOn(c -> grants.stream().noneMatch(g -> g.allows(c)))
        .isEmpty();
    Set<String> unused = new TreeSet<>();
    for (Grant g : grants) {
      if (calls.stream().noneMatch(g::allows) && !NEEDED_BUT_NOT_CALLED.contains(g.id())) {
        unused.add(g.id());
      }
    }
    assertThat(unused).as("rights the operator never used").isEmpty();
  }

  /**
   * Rights the operator needs without calling them: the Operator SDK checks at start-up (with a
   * SelfSubjectRulesReview) that it may update its Lease, and refuses to start otherwise, though
   * the client renews the Lease with patch.
   */
  private static final Set<String> NEEDED_BUT_NOT_CALLED =
      Set.of("update coordination.k8s.io/leases", "update nodedaemon.dev/nodedaemons/finalizers");

  /**
   * The API server runs the OwnerReferencesPermissionEnforcement admission plugin (hack/cluster),
   * as OpenShift does: an object whose ownerReference has blockOwnerDeletion may be written only by
   * a user who may update the owner's finalizers. The operator's pods and ControllerRevisions carry
   * such references, so the chart grants that right; without it every pod create is refused.
   * Checked with dry-run creates (admission runs, nothing is stored) as the chart's ServiceAccount.
   */
  private static void blockOwnerDeletionNeedsTheFinalizersRule(
      KubernetesClient admin, TestFleet fleet) throws IOException {
    Path kubeconfig = cluster.serviceAccountKubeconfig(RELEASE_NAMESPACE, SERVICE_ACCOUNT);
    try (KubernetesClient operator =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build()) {
      NodeDaemon agent = fleet.get("agent");
      Pod pod =
          new PodBuilder()
              .withNewMetadata()
              .withName("agent-owned")
              .withNamespace(fleet.namespace())
              .withOwnerReferences(DaemonPodFactory.controllerReference(agent))
              .endMetadata()
              .withNewSpec()
              .addNewContainer()
              .withName("agent")
              .withImage("example.com/agent:v1")
              .endContainer()
              .endSpec()
              .build();
      assertThat(pod.getMetadata().getOwnerReferences().getFirst().getBlockOwnerDeletion())
          .isTrue();
      operator.pods().resource(pod).dryRun().create();

      String role = RELEASE + "-workloads";
      admin
          .rbac()
          .clusterRoles()
          .withName(role)
          .edit(
              r -> {
                r.getRules()
                    .removeIf(rule -> rule.getResources().contains("nodedaemons/finalizers"));
                return r;
              });
      try {
        Awaitility.await("the refusal once RBAC has seen the rule go")
            .atMost(30, TimeUnit.SECONDS)
            .pollInterval(Duration.ofMillis(200))
            .untilAsserted(
                () ->
                    assertThatThrownBy(() -> operator.pods().resource(pod).dryRun().create())
                        .isInstanceOf(KubernetesClientException.class)
                        .hasMessageContaining("cannot set blockOwnerDeletion"));
        System.out.println(
            "without update on nodedaemons/finalizers, a pod create as "
                + OPERATOR_USER
                + " is refused: cannot set blockOwnerDeletion");
      } finally {
        admin
            .rbac()
            .clusterRoles()
            .withName(role)
            .edit(
                r -> {
                  r.getRules()
                      .add(
                          new PolicyRuleBuilder()
                              .withApiGroups("nodedaemon.dev")
                              .withResources("nodedaemons/finalizers")
                              .withVerbs("update")
                              .build());
                  return r;
                });
      }
      Awaitility.await("pod creates allowed again")
          .atMost(30, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> operator.pods().resource(pod).dryRun().create() != null);
    }
  }

  /** The `helm test` pod passes the release namespace's restricted Pod Security admission. */
  private static void helmTestPodIsAdmittedAsRestricted() {
    String testPod =
        Helm.offline()
            .run(
                "template",
                RELEASE,
                Helm.CHART.toString(),
                "--namespace",
                RELEASE_NAMESPACE,
                "--show-only",
                "templates/tests/metrics-test.yaml");
    Commands.Result created =
        cluster.tryKubectl(
            testPod, "create", "--dry-run=server", "-n", RELEASE_NAMESPACE, "-f", "-");
    assertThat(created.ok()).as(created.stderr()).isTrue();
    assertThat(created.stderr()).as("no Pod Security warning").doesNotContain("violate");
  }

  /** One verb on one resource, granted cluster-wide (namespace null) or in one namespace. */
  private record Grant(
      String group, String resource, String verb, String namespace, List<String> names) {
    String id() {
      return verb + " " + group + "/" + resource;
    }

    boolean allows(AuditLog.Call call) {
      return group.equals(call.group())
          && resource.equals(call.rbacResource())
          && verb.equals(call.verb())
          && (namespace == null || namespace.equals(call.namespace()))
          && (names.isEmpty() || names.contains(call.name()));
    }
  }

  private static List<Grant> grants(KubernetesClient client) {
    List<Grant> grants = new ArrayList<>();
    for (var binding : client.rbac().clusterRoleBindings().list().getItems()) {
      if (boundToOperator(binding.getSubjects())) {
        var role = client.rbac().clusterRoles().withName(binding.getRoleRef().getName()).get();
        addGrants(grants, role.getRules(), null);
      }
    }
    for (var binding : client.rbac().roleBindings().inAnyNamespace().list().getItems()) {
      if (boundToOperator(binding.getSubjects())) {
        String namespace = binding.getMetadata().getNamespace();
        List<PolicyRule> rules =
            "ClusterRole".equals(binding.getRoleRef().getKind())
                ? client
                    .rbac()
                    .clusterRoles()
                    .withName(binding.getRoleRef().getName())
                    .get()
                    .getRules()
                : client
                    .rbac()
                    .roles()
                    .inNamespace(namespace)
                    .withName(binding.getRoleRef().getName())
                    .get()
                    .getRules();
        addGrants(grants, rules, namespace);
      }
    }
    return grants;
  }

  private static void addGrants(List<Grant> grants, List<PolicyRule> rules, String namespace) {
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(
                new Grant(
                    group,
                    resource,
                    verb,
                    namespace,
                    rule.getResourceNames() == null ? List.of() : rule.getResourceNames()));
          }
        }
      }
    }
  }

  private static boolean boundToOperator(List<Subject> subjects) {
    return subjects != null
        && subjects.stream()
            .anyMatch(
                s ->
                    "ServiceAccount".equals(s.getKind())
                        && SERVICE_ACCOUNT.equals(s.getName())
                        && RELEASE_NAMESPACE.equals(s.getNamespace()));
  }

  /** Starts the operator with the chart's ServiceAccount and its Deployment's environment. */
  private static OperatorProcess startAsDeployment(KubernetesClient client, String label)
      throws IOException {
    Path kubeconfig = cluster.serviceAccountKubeconfig(RELEASE_NAMESPACE, SERVICE_ACCOUNT);
    Map<String, String> env = DeploymentEnvironment.of(deployment(client), operatorPodName(client));
    System.out.println("operator environment from the Deployment: " + env);
    // The log is appended to: start it afresh, so the checks read this run's only.
    Files.deleteIfExists(LocalCluster.projectDir().resolve("target/operator-" + label + ".log"));
    return OperatorProcess.start(kubeconfig, label, Map.of(), env);
  }

  private static Deployment deployment(KubernetesClient client) {
    return client.apps().deployments().inNamespace(RELEASE_NAMESPACE).withName(RELEASE).get();
  }

  private static String operatorPodName(KubernetesClient client) {
    return client
        .pods()
        .inNamespace(RELEASE_NAMESPACE)
        .withLabel(INSTANCE_LABEL, RELEASE)
        .list()
        .getItems()
        .stream()
        .map(p -> p.getMetadata().getName())
        .sorted()
        .findFirst()
        .orElseThrow();
  }

  /** A pod matching the NodeDaemon's selector but owned by nobody, as an orphaned DaemonSet's. */
  private static void createOrphan(TestFleet fleet, String name, String node) {
    Pod orphan =
        new PodBuilder()
            .withNewMetadata()
            .withName(name + "-orphan")
            .withNamespace(fleet.namespace())
            .addToLabels("name", name)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .addNewContainer()
            .withName("fluentd-elasticsearch")
            .withImage("quay.io/fluentd_elasticsearch/fluentd:v2.5.2")
            .endContainer()
            .endSpec()
            .build();
    fleet.client().pods().resource(orphan).create();
  }

  private static io.fabric8.kubernetes.api.model.Node removeLabel(
      io.fabric8.kubernetes.api.model.Node node, String label) {
    node.getMetadata().getLabels().remove(label);
    return node;
  }

  /** What is left of the release: objects with its label anywhere, and the release namespace's. */
  private static List<String> leftovers(
      KubernetesClient client, TestFleet fleet, TestFleet unwatched) {
    List<HasMetadata> found = new ArrayList<>();
    found.addAll(client.rbac().clusterRoles().withLabel(INSTANCE_LABEL, RELEASE).list().getItems());
    found.addAll(
        client.rbac().clusterRoleBindings().withLabel(INSTANCE_LABEL, RELEASE).list().getItems());
    for (String namespace : List.of(RELEASE_NAMESPACE, fleet.namespace(), unwatched.namespace())) {
      found.addAll(client.rbac().roleBindings().inNamespace(namespace).list().getItems());
      found.addAll(client.rbac().roles().inNamespace(namespace).list().getItems());
    }
    var ns = RELEASE_NAMESPACE;
    Stream.of(
            client.apps().deployments().inNamespace(ns).list().getItems(),
            client.apps().replicaSets().inNamespace(ns).list().getItems(),
            client.pods().inNamespace(ns).list().getItems(),
            client.services().inNamespace(ns).list().getItems(),
            client.secrets().inNamespace(ns).list().getItems(),
            client.configMaps().inNamespace(ns).list().getItems(),
            client.serviceAccounts().inNamespace(ns).list().getItems(),
            client.leases().inNamespace(ns).list().getItems(),
            client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems())
        .forEach(found::addAll);
    return found.stream()
        .map(
            o ->
                o.getKind()
                    + " "
                    + o.getMetadata().getNamespace()
                    + "/"
                    + o.getMetadata().getName())
        .filter(o -> !EXPECTED_AFTER_UNINSTALL.contains(o))
        .toList();
  }

  /**
   * Not the release's: what every namespace has, and the operator's Lease, which the operator (not
   * Helm) created; it expires unused and goes with the namespace.
   */
  private static final Set<String> EXPECTED_AFTER_UNINSTALL =
      Set.of(
          "ConfigMap " + RELEASE_NAMESPACE + "/kube-root-ca.crt",
          "ServiceAccount " + RELEASE_NAMESPACE + "/default",
          "Lease " + RELEASE_NAMESPACE + "/nodedaemon-operator");
}
