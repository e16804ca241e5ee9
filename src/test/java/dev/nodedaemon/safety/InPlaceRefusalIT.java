package dev.nodedaemon.safety;

import static dev.nodedaemon.testing.StatusChecks.condition;
import static dev.nodedaemon.testing.StatusChecks.conditionIs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.PodUpdatePolicy;
import dev.nodedaemon.testing.AuditLog;
import dev.nodedaemon.testing.ImageHistory;
import dev.nodedaemon.testing.SharedCluster;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * An in-place update the API server refuses (here a ValidatingAdmissionPolicy that forbids changing
 * a running pod's image, answered 422) is not retried hot: the operator backs off (10 s, doubling),
 * says so in the ReconcileError condition and a FailedUpdatePodInPlace event naming the refusal,
 * and never deletes the working pod because of it. Once the policy goes, the rollout finishes in
 * place. The patches are counted in the API server's audit log.
 */
class InPlaceRefusalIT {

  private static final String V1 = "example.com/agent:v1";
  private static final String V2 = "example.com/agent:v2";
  private static final String POLICY_MESSAGE = "running pods keep their images here";
  // The length of the fault: long enough for a hot loop (a retry every 0.5 or 5 s) to show.
  private static final Duration REFUSED_FOR = Duration.ofSeconds(25);

  @Test
  void aRefusedInPlacePatchBacksOffWithAConditionAndDeletesNoPod() throws Exception {
    SharedOperator.get();
    TestFleet fleet = new TestFleet("inplace-refused");
    List<String> nodes = fleet.addNodes("n", 3);
    NodeDaemon nd = TestFleet.withRollingUpdate(fleet.logAgent("agent"), 1, null);
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(V1);
    nd.getSpec()
        .getUpdateStrategy()
        .getRollingUpdate()
        .setPodUpdatePolicy(PodUpdatePolicy.InPlaceIfPossible);
    fleet.create(TestFleet.withoutHealthGates(nd));
    List<Pod> before = fleet.awaitReadyOnExactly("agent", nodes);
    String policy = "freeze-images-" + fleet.id();
    KubernetesClient client = fleet.client();
    freezeImages(client, policy, fleet.namespace());
    awaitPolicyInForce(client, fleet.namespace(), before.getFirst());

    try (ImageHistory history = new ImageHistory(client, fleet.namespace(), "agent")) {
      Instant changed = Instant.now();
      fleet.setImage("agent", V2);
      NodeDaemon refused =
          fleet.awaitStatus(
              "agent",
              n ->
                  conditionIs(n, "ReconcileError", "True")
                      && condition(n, "ReconcileError").getMessage().contains(POLICY_MESSAGE));
      assertThat(condition(refused, "ReconcileError").getMessage())
          .contains("refuses in-place updates")
          .contains("no pod is deleted");
      fleet.awaitEvents("agent", "FailedUpdatePodInPlace", 1, Duration.ofSeconds(30));
      assertThat(
              fleet.events("agent").stream()
                  .filter(e -> "FailedUpdatePodInPlace".equals(e.getReason())))
          .allSatisfy(e -> assertThat(e.getMessage()).contains(POLICY_MESSAGE));

      Thread.sleep(REFUSED_FOR.toMillis()); // the fault's length, not a wait for anything
      List<AuditLog.Call> patches = podPatches(fleet.namespace(), changed);
      System.out.printf(
          "in-place patches in the %s after the image change, while refused: %d (codes %s)%n",
          Duration.between(changed, Instant.now()),
          patches.size(),
          patches.stream().map(AuditLog.Call::code).toList());
      assertThat(patches).as("refused patches").isNotEmpty();
      // 10 s doubling: at 0, 10 and 30 s. A retry every 5 s would make 6, every 0.5 s dozens.
      assertThat(patches).as("patches while refused (a hot loop makes more)").hasSizeLessThan(5);
      assertThat(history.deletedUids()).as("working pods deleted").isEmpty();
      assertThat(fleet.pods("agent"))
          .extracting(p -> p.getMetadata().getUid())
          .containsExactlyInAnyOrderElementsOf(
              before.stream().map(p -> p.getMetadata().getUid()).toList());

      // The policy goes: the next attempt (at most one backoff later) updates the same pods.
      client
          .admissionRegistration()
          .v1()
          .validatingAdmissionPolicyBindings()
          .withName(policy)
          .delete();
      client.admissionRegistration().v1().validatingAdmissionPolicies().withName(policy).delete();
      List<Pod> after = fleet.awaitAllOnImage("agent", nodes, V2);
      assertThat(after)
          .extracting(p -> p.getMetadata().getUid())
          .containsExactlyInAnyOrderElementsOf(
              before.stream().map(p -> p.getMetadata().getUid()).toList());
      fleet.awaitStatus("agent", n -> conditionIs(n, "ReconcileError", "False"));
      assertThat(history.deletedUids()).isEmpty();
    } finally {
      client
          .admissionRegistration()
          .v1()
          .validatingAdmissionPolicyBindings()
          .withName(policy)
          .delete();
      client.admissionRegistration().v1().validatingAdmissionPolicies().withName(policy).delete();
    }
  }

  /** Pod UPDATEs in {@code namespace} that change a container's image are refused (422). */
  private static void freezeImages(KubernetesClient client, String name, String namespace) {
    client
        .resource(
            """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: %s}
            spec:
              failurePolicy: Fail
              matchConstraints:
                resourceRules:
                - apiGroups: [""]
                  apiVersions: [v1]
                  operations: [UPDATE]
                  resources: [pods]
              validations:
              - expression: >-
                  object.spec.containers.all(c, oldObject.spec.containers.exists(o,
                  o.name == c.name && o.image == c.image))
                message: %s
            """
                .formatted(name, POLICY_MESSAGE))
        .create();
    client
        .resource(
            """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicyBinding
            metadata: {name: %s}
            spec:
              policyName: %s
              validationActions: [Deny]
              matchResources:
                namespaceSelector:
                  matchLabels: {kubernetes.io/metadata.name: %s}
            """
                .formatted(name, name, namespace))
        .create();
  }

  /** The policy is compiled and bound a moment after it is created: a dry run shows when. */
  private static void awaitPolicyInForce(KubernetesClient client, String namespace, Pod pod) {
    String patch =
        "[{\"op\": \"replace\", \"path\": \"/spec/containers/0/image\", \"value\": \"probe\"}]";
    Awaitility.await()
        .atMost(30, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              try {
                client
                    .pods()
                    .inNamespace(namespace)
                    .withName(pod.getMetadata().getName())
                    .dryRun()
                    .patch(PatchContext.of(PatchType.JSON), patch);
                return false;
              } catch (KubernetesClientException e) {
                return e.getCode() == 422
                    && String.valueOf(e.getMessage()).contains(POLICY_MESSAGE);
              }
            });
  }

  private static List<AuditLog.Call> podPatches(String namespace, Instant after) {
    return SharedCluster.get()
        .auditLog()
        .calls(
            c ->
                c.verb().equals("patch")
                    && c.resource().equals("pods")
                    && c.subresource().isEmpty()
                    && c.namespace().equals(namespace)
                    && c.at().isAfter(after));
  }
}
