package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.testing.Commands;
import dev.nodedaemon.testing.Helm;
import dev.nodedaemon.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart without a cluster: lint, the CRD against the generated one, and what {@code helm
 * template} renders for different values. {@link HelmChartIT} installs it for real.
 */
class HelmChartTest {

  private static final String CRD_FILE = "nodedaemons.nodedaemon.dev-v1.yml";
  private static final Path GENERATED_CRD =
      LocalCluster.projectDir().resolve("target/classes/META-INF/fabric8/" + CRD_FILE);
  private static final Path CHART_CRD = Helm.CHART.resolve("files/crds/" + CRD_FILE);

  private final Helm helm = Helm.offline();

  @Test
  void chartCrdIsTheOneGeneratedFromTheJavaModel() throws IOException {
    assertThat(GENERATED_CRD).as("run the build: CrdWriter generates it").exists();
    assertThat(Files.readString(CHART_CRD))
        .as("%s must be the build's copy of %s, never edited by hand", CHART_CRD, GENERATED_CRD)
        .isEqualTo(Files.readString(GENERATED_CRD));
  }

  /**
   * The build refreshes the chart's copy, so a stale committed CRD shows up as a modified file
   * after the build (on CI, a fresh clone, that means someone changed the model and did not commit
   * the chart's copy; locally, commit it with the change).
   */
  @Test
  void committedChartCrdIsCurrent() {
    Commands.Result diff =
        Commands.tryRun(
            Duration.ofSeconds(30),
            List.of(
                "git",
                "-C",
                LocalCluster.projectDir().toString(),
                "diff",
                "--exit-code",
                "--",
                CHART_CRD.toString()),
            null);
    assertThat(diff.exitCode())
        .as(
            "the committed %s is not the CRD generated from the Java model; the build has just"
                + " rewritten it: commit it (git add helm/nodedaemon/files/crds):%n%s",
            CHART_CRD, diff.stdout())
        .isZero();
  }

  @Test
  void lintPasses() {
    assertThat(helm.run("lint", "--strict", Helm.CHART.toString()))
        .contains("1 chart(s) linted, 0 chart(s) failed");
    assertThat(
            helm.run(
                "lint",
                "--strict",
                Helm.CHART.toString(),
                "--set",
                "watch.scope=namespaces",
                "--set",
                "watch.namespaces={team-a,team-b}",
                "--set",
                "metrics.serviceMonitor.enabled=true",
                "--set",
                "metrics.prometheusRule.enabled=true",
                "--set",
                "dashboard.enabled=true"))
        .contains("0 chart(s) failed");
  }

  @Test
  void defaultsWatchEveryNamespaceWithTwoLeaderElectedReplicas() {
    List<HasMetadata> objects = helm.template(Helm.CHART, "--namespace", "ops");

    Deployment deployment = one(objects, Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    Map<String, EnvVar> env = env(deployment);
    assertThat(env.get("QUARKUS_OPERATOR_SDK_CONTROLLERS_NODEDAEMON_NAMESPACES").getValue())
        .isEqualTo("JOSDK_ALL_NAMESPACES");
    assertThat(env.get("NODEDAEMON_CRD_INSTALL").getValue()).isEqualTo("false");
    assertThat(env.get("NODEDAEMON_LEADER_ELECTION_ENABLED").getValue()).isEqualTo("true");
    assertThat(env.get("NODEDAEMON_LEADER_ELECTION_LEASE_NAMESPACE").getValueFrom())
        .extracting(v -> v.getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env.get("NODEDAEMON_LEADER_ELECTION_IDENTITY").getValueFrom())
        .extracting(v -> v.getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");

    // The workload rights are granted cluster-wide, and no RoleBinding narrows them.
    assertThat(named(objects, ClusterRoleBinding.class, "nd-nodedaemon-workloads")).isNotNull();
    assertThat(all(objects, RoleBinding.class))
        .extracting(rb -> rb.getRoleRef().getName())
        .containsExactly("nd-nodedaemon-leader-election");
    assertThat(named(objects, Role.class, "nd-nodedaemon-leader-election").getRules())
        .flatExtracting(PolicyRule::getResources)
        .containsOnly("leases");

    assertThat(one(objects, PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal())
        .as("a drain evicts one replica at a time")
        .isEqualTo(1);
    assertThat(
            deployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAffinity()
                .getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution())
        .as("replicas prefer different nodes")
        .singleElement()
        .satisfies(
            term ->
                assertThat(term.getPodAffinityTerm().getTopologyKey())
                    .isEqualTo("kubernetes.io/hostname"));
    assertThat(all(objects, GenericKubernetesResource.class))
        .as("no ServiceMonitor unless asked for")
        .isEmpty();
    assertThat(all(objects, ConfigMap.class)).as("no dashboards unless asked for").isEmpty();
  }

  @Test
  void operatorPodMeetsTheRestrictedPodSecurityStandard() {
    Deployment deployment = one(helm.template(Helm.CHART), Deployment.class);
    var pod = deployment.getSpec().getTemplate().getSpec();
    Container operator = pod.getContainers().getFirst();

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext())
        .as("no fixed user or group: the image's, or the one OpenShift assigns")
        .extracting("runAsUser", "runAsGroup", "fsGroup")
        .containsOnlyNulls();
    assertThat(operator.getSecurityContext().getRunAsUser()).isNull();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(operator.getResources().getLimits()).containsKey("memory");
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(operator.getVolumeMounts())
        .as("a writable /tmp beside the read-only root filesystem")
        .anyMatch(m -> m.getMountPath().equals("/tmp"));
  }

  @Test
  void namespacedWatchGrantsWorkloadRightsOnlyInTheListedNamespaces() {
    List<HasMetadata> objects =
        helm.template(
            Helm.CHART,
            "--namespace",
            "ops",
            "--set",
            "watch.scope=namespaces",
            "--set",
            "watch.namespaces={team-a,team-b}");

    assertThat(
            env(one(objects, Deployment.class))
                .get("QUARKUS_OPERATOR_SDK_CONTROLLERS_NODEDAEMON_NAMESPACES")
                .getValue())
        .isEqualTo("team-a,team-b");
    assertThat(all(objects, ClusterRoleBinding.class))
        .extracting(b -> b.getRoleRef().getName())
        .as("only reading nodes stays cluster-wide")
        .containsExactly("nd-nodedaemon-nodes");
    assertThat(all(objects, RoleBinding.class))
        .filteredOn(rb -> rb.getRoleRef().getName().equals("nd-nodedaemon-workloads"))
        .extracting(rb -> rb.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
  }

  @Test
  void namespacedWatchWithoutAListWatchesTheReleaseNamespace() {
    List<HasMetadata> objects =
        helm.template(Helm.CHART, "--namespace", "ops", "--set", "watch.scope=namespaces");

    assertThat(
            env(one(objects, Deployment.class))
                .get("QUARKUS_OPERATOR_SDK_CONTROLLERS_NODEDAEMON_NAMESPACES")
                .getValue())
        .isEqualTo("ops");
    assertThat(all(objects, RoleBinding.class))
        .filteredOn(rb -> rb.getRoleRef().getName().equals("nd-nodedaemon-workloads"))
        .extracting(rb -> rb.getMetadata().getNamespace())
        .containsExactly("ops");
  }

  @Test
  void noRuleTouchesCustomResourceDefinitionsOrUsesWildcards() {
    List<PolicyRule> rules =
        Stream.concat(
                all(helm.template(Helm.CHART), ClusterRole.class).stream()
                    .flatMap(r -> r.getRules().stream()),
                all(helm.template(Helm.CHART), Role.class).stream()
                    .flatMap(r -> r.getRules().stream()))
            .toList();
    assertThat(rules)
        .flatExtracting(PolicyRule::getApiGroups)
        .doesNotContain("apiextensions.k8s.io", "*");
    assertThat(rules).flatExtracting(PolicyRule::getResources).doesNotContain("*");
    assertThat(rules).flatExtracting(PolicyRule::getVerbs).doesNotContain("*", "deletecollection");
  }

  @Test
  void serviceMonitorScrapesTheMetricsServicePort() {
    List<HasMetadata> objects =
        helm.template(Helm.CHART, "--set", "metrics.serviceMonitor.enabled=true");

    GenericKubernetesResource monitor = one(objects, GenericKubernetesResource.class);
    assertThat(monitor.getKind()).isEqualTo("ServiceMonitor");
    Service service = one(objects, Service.class);
    Map<String, Object> endpoint = endpoints(monitor).getFirst();
    assertThat(endpoint)
        .containsEntry("path", "/q/metrics")
        .containsEntry("port", service.getSpec().getPorts().getFirst().getName());
    assertThat(service.getSpec().getSelector())
        .isEqualTo(
            one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels());
  }

  @Test
  void replicasAndLeaderElectionFollowTheValues() {
    List<HasMetadata> objects =
        helm.template(
            Helm.CHART, "--set", "replicaCount=1", "--set", "leaderElection.enabled=false");

    Deployment deployment = one(objects, Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(all(objects, PodDisruptionBudget.class)).as("no budget for one replica").isEmpty();
    assertThat(env(deployment).get("NODEDAEMON_LEADER_ELECTION_ENABLED").getValue())
        .isEqualTo("false");
    assertThat(all(objects, Role.class)).as("no Lease rights without leader election").isEmpty();
  }

  @Test
  void settingsThatLetTwoOperatorsWriteAreRefused() {
    assertThat(refusal("--set", "leaderElection.enabled=false"))
        .contains("replicaCount 2 needs leaderElection.enabled");
    assertThat(refusal("--set", "leaderElection.renewDeadline=15s"))
        .contains("renewDeadline (15s) must be shorter than leaseDuration (15s)");
    assertThat(
            refusal(
                "--set",
                "leaderElection.leaseDuration=1m",
                "--set",
                "leaderElection.renewDeadline=1m30s"))
        .contains("renewDeadline (1m30s) must be shorter than leaseDuration (1m)");
    assertThat(refusal("--set", "leaderElection.retryPeriod=12s"))
        .contains("retryPeriod (12s) must be shorter than renewDeadline (10s)");
    // Shorter in another unit is fine.
    assertThat(
            helm.tryRun(
                    "template",
                    "nd",
                    Helm.CHART.toString(),
                    "--set",
                    "leaderElection.leaseDuration=1m",
                    "--set",
                    "leaderElection.renewDeadline=45s")
                .ok())
        .isTrue();
  }

  private String refusal(String... values) {
    List<String> args = new java.util.ArrayList<>(List.of("template", "nd", Helm.CHART.toString()));
    args.addAll(List.of(values));
    Commands.Result result = helm.tryRun(args.toArray(String[]::new));
    assertThat(result.ok()).as("helm template %s should fail", List.of(values)).isFalse();
    return result.stderr();
  }

  @Test
  void dashboardConfigMapHoldsEveryDashboardFileOnlyWhenEnabled(@TempDir Path tmp)
      throws IOException {
    // The chart's own dashboard is in the ConfigMap.
    ConfigMap shipped =
        one(helm.template(Helm.CHART, "--set", "dashboard.enabled=true"), ConfigMap.class);
    assertThat(shipped.getData()).containsKey("nodedaemon.json");

    // Every file of the folder, and only those.
    Path chart = copyChart(tmp);
    try (var files = Files.list(chart.resolve("dashboards"))) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.writeString(chart.resolve("dashboards/rollout.json"), "{\"title\": \"Rollouts\"}\n");

    ConfigMap dashboards =
        one(helm.template(chart, "--set", "dashboard.enabled=true"), ConfigMap.class);
    assertThat(dashboards.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboards.getData()).containsOnlyKeys("rollout.json");
    assertThat(dashboards.getData().get("rollout.json")).isEqualTo("{\"title\": \"Rollouts\"}");

    assertThat(all(helm.template(chart), ConfigMap.class)).isEmpty();
  }

  @Test
  void crdIsRenderedFromTemplatesSoUpgradesUpdateItAndKeptOnUninstall() throws IOException {
    CustomResourceDefinition crd = one(helm.template(Helm.CHART), CustomResourceDefinition.class);
    CustomResourceDefinition generated =
        Serialization.unmarshal(Files.readString(GENERATED_CRD), CustomResourceDefinition.class);
    assertThat(crd.getMetadata().getName()).isEqualTo("nodedaemons.nodedaemon.dev");
    assertThat(crd.getSpec())
        .as("the generated CRD's spec, unchanged")
        .isEqualTo(generated.getSpec());
    assertThat(crd.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    assertThat(Helm.CHART.resolve("crds")).as("crds/ is never upgraded by helm").doesNotExist();

    assertThat(
            one(
                    helm.template(Helm.CHART, "--set", "crds.keep=false"),
                    CustomResourceDefinition.class)
                .getMetadata()
                .getAnnotations())
        .isNullOrEmpty();
    assertThat(
            all(
                helm.template(Helm.CHART, "--set", "crds.install=false"),
                CustomResourceDefinition.class))
        .isEmpty();
  }

  @Test
  void workloadRoleMaySetBlockOwnerDeletionOnNodeDaemonOwnedObjects() {
    ClusterRole workloads =
        named(helm.template(Helm.CHART), ClusterRole.class, "nd-nodedaemon-workloads");
    assertThat(workloads.getRules())
        .as("OwnerReferencesPermissionEnforcement asks for update on the owner's finalizers")
        .anySatisfy(
            rule -> {
              assertThat(rule.getApiGroups()).containsExactly("nodedaemon.dev");
              assertThat(rule.getResources()).containsExactly("nodedaemons/finalizers");
              assertThat(rule.getVerbs()).containsExactly("update");
            });
  }

  @Test
  void nameOverridesRenameEveryObject() {
    List<HasMetadata> renamed = helm.template(Helm.CHART, "--set", "nameOverride=agentd");
    Deployment deployment = one(renamed, Deployment.class);
    assertThat(deployment.getMetadata().getName()).isEqualTo("nd-agentd");
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/name", "agentd");
    assertThat(one(renamed, Service.class).getMetadata().getName()).isEqualTo("nd-agentd-metrics");

    List<HasMetadata> full =
        helm.template(Helm.CHART, "--namespace", "ops", "--set", "fullnameOverride=platform-nd");
    assertThat(full)
        .filteredOn(o -> !(o instanceof CustomResourceDefinition))
        .extracting(o -> o.getMetadata().getName())
        .allMatch(name -> name.startsWith("platform-nd"), "starts with platform-nd");
    assertThat(all(full, ClusterRoleBinding.class))
        .flatExtracting(ClusterRoleBinding::getSubjects)
        .extracting(Subject::getName)
        .containsOnly("platform-nd");
    assertThat(
            one(full, Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("platform-nd");
  }

  @Test
  void helmTestHookChecksReadinessAndMetricsThroughTheService() {
    List<HasMetadata> objects =
        Helm.parse(
            helm.run(
                "template",
                "nd",
                Helm.CHART.toString(),
                "--namespace",
                "ops",
                "--show-only",
                "templates/tests/metrics-test.yaml"));
    Pod test = one(objects, Pod.class);
    assertThat(test.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "test");
    assertThat(test.getSpec().getRestartPolicy()).isEqualTo("Never");
    Container check = test.getSpec().getContainers().getFirst();
    assertThat(check.getImage()).isEqualTo("quay.io/nodedaemon/nodedaemon-operator:0.1.0");
    assertThat(String.join(" ", check.getCommand()))
        .contains("http://nd-nodedaemon-metrics.ops.svc:8080/q/health/ready")
        .contains("http://nd-nodedaemon-metrics.ops.svc:8080/q/metrics");
    assertThat(test.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(check.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(check.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

    Pod other =
        one(
            Helm.parse(
                helm.run(
                    "template",
                    "nd",
                    Helm.CHART.toString(),
                    "--set",
                    "tests.image.repository=curlimages/curl",
                    "--show-only",
                    "templates/tests/metrics-test.yaml")),
            Pod.class);
    assertThat(other.getSpec().getContainers().getFirst().getImage())
        .isEqualTo("curlimages/curl:latest");
  }

  @Test
  void serviceMonitorHonoursTheOperatorsLabelsAndTakesRelabelings() {
    Map<String, Object> endpoint =
        endpoints(
                one(
                    helm.template(Helm.CHART, "--set", "metrics.serviceMonitor.enabled=true"),
                    GenericKubernetesResource.class))
            .getFirst();
    assertThat(endpoint)
        .as("the operator's namespace label is the NodeDaemon's: keep it")
        .containsEntry("honorLabels", true)
        .doesNotContainKeys("relabelings", "metricRelabelings");

    Map<String, Object> relabelled =
        endpoints(
                one(
                    helm.template(
                        Helm.CHART,
                        "--set",
                        "metrics.serviceMonitor.enabled=true",
                        "--set",
                        "metrics.serviceMonitor.honorLabels=false",
                        "--set-json",
                        "metrics.serviceMonitor.relabelings=[{\"targetLabel\":\"cluster\",\"replacement\":\"eu-1\"}]",
                        "--set-json",
                        "metrics.serviceMonitor.metricRelabelings=[{\"sourceLabels\":[\"__name__\"],\"regex\":\"nodedaemon_node_.*\",\"action\":\"drop\"}]"),
                    GenericKubernetesResource.class))
            .getFirst();
    assertThat(relabelled).containsEntry("honorLabels", false);
    assertThat(relabelled.get("relabelings"))
        .isEqualTo(List.of(Map.of("targetLabel", "cluster", "replacement", "eu-1")));
    assertThat(relabelled.get("metricRelabelings"))
        .isEqualTo(
            List.of(
                Map.of(
                    "sourceLabels",
                    List.of("__name__"),
                    "regex",
                    "nodedaemon_node_.*",
                    "action",
                    "drop")));
  }

  @Test
  void perNodeSeriesCanBeSwitchedOff() {
    assertThat(
            env(one(helm.template(Helm.CHART), Deployment.class))
                .get("NODEDAEMON_METRICS_PER_NODE_ENABLED")
                .getValue())
        .isEqualTo("true");
    assertThat(
            env(one(
                    helm.template(Helm.CHART, "--set", "metrics.perNode.enabled=false"),
                    Deployment.class))
                .get("NODEDAEMON_METRICS_PER_NODE_ENABLED")
                .getValue())
        .isEqualTo("false");
  }

  @Test
  void prometheusRuleOnlyWhenAskedFor() {
    assertThat(all(helm.template(Helm.CHART), GenericKubernetesResource.class)).isEmpty();
    GenericKubernetesResource rule =
        one(
            helm.template(
                Helm.CHART,
                "--set",
                "metrics.prometheusRule.enabled=true",
                "--set",
                "metrics.prometheusRule.labels.release=prometheus",
                "--set",
                "metrics.prometheusRule.additionalAlertLabels.team=platform"),
            GenericKubernetesResource.class);
    assertThat(rule.getKind()).isEqualTo("PrometheusRule");
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prometheus");
    assertThat(rule.toString()).contains("team=platform");
  }

  @Test
  void schemaRefusesValuesTheChartCannotHonour() {
    Commands.Result badScope =
        helm.tryRun("template", "nd", Helm.CHART.toString(), "--set", "watch.scope=all");
    assertThat(badScope.ok()).isFalse();
    assertThat(badScope.stderr()).contains("watch").contains("scope");

    Commands.Result badDuration =
        helm.tryRun(
            "template", "nd", Helm.CHART.toString(), "--set", "leaderElection.leaseDuration=15");
    assertThat(badDuration.ok()).isFalse();
    assertThat(badDuration.stderr()).contains("leaseDuration");

    Commands.Result badFor =
        helm.tryRun(
            "template",
            "nd",
            Helm.CHART.toString(),
            "--set",
            "metrics.prometheusRule.rolloutStuckFor=fifteen minutes");
    assertThat(badFor.ok()).isFalse();
    assertThat(badFor.stderr()).contains("rolloutStuckFor");

    Commands.Result unknownKey =
        helm.tryRun("template", "nd", Helm.CHART.toString(), "--set", "replicas=3");
    assertThat(unknownKey.ok()).isFalse();
    assertThat(unknownKey.stderr()).contains("replicas");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> endpoints(GenericKubernetesResource monitor) {
    Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
    return (List<Map<String, Object>>) spec.get("endpoints");
  }

  private static Path copyChart(Path tmp) throws IOException {
    Path target = tmp.resolve("nodedaemon");
    try (Stream<Path> files = Files.walk(Helm.CHART)) {
      for (Path source : files.sorted(Comparator.naturalOrder()).toList()) {
        Path copy = target.resolve(Helm.CHART.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(source, copy);
        }
      }
    }
    return target;
  }

  private static Map<String, EnvVar> env(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e));
  }

  private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    assertThat(found).as(type.getSimpleName() + " objects").hasSize(1);
    return found.getFirst();
  }

  private static <T extends HasMetadata> T named(
      List<HasMetadata> objects, Class<T> type, String name) {
    return all(objects, type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }
}
