package dev.nodedaemon.safety;

import static dev.nodedaemon.testing.StatusChecks.condition;
import static dev.nodedaemon.testing.StatusChecks.heldBy;
import static dev.nodedaemon.testing.StatusChecks.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.testing.ImageHistory;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A template the CRD's schema accepts but the API server refuses for pods must not cost a single
 * working pod, whatever the budget: the operator asks the API server (a server-side dry run of one
 * pod) before it deletes or patches any pod for a revision, and reports the refusal instead.
 */
class BadTemplateIT {

  private static final String V1 = "example.com/agent:v1";
  private static final String V2 = "example.com/agent:v2";

  @BeforeAll
  static void operatorRuns() {
    SharedOperator.get();
  }

  @Test
  void aMountOfAnUndeclaredVolumeDeletesNoWorkingPodAndAFixedTemplateRolls() {
    TestFleet fleet = new TestFleet("badname");
    List<String> nodes = fleet.addNodes("n", 5);
    fleet.create(agent(fleet));
    List<String> before = uids(fleet.awaitReadyOnExactly("agent", nodes));
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));

    try (ImageHistory history = new ImageHistory(fleet.client(), fleet.namespace(), "agent")) {
      // The CRD's schema cannot see that the volume is not declared (a container name that is not
      // a DNS label, the first case found, it now refuses at apply); the API server can.
      fleet.patch(
          "agent",
          "[{\"op\": \"add\", \"path\": \"/spec/template/spec/containers/0/volumeMounts\","
              + " \"value\": [{\"name\": \"undeclared\", \"mountPath\": \"/data\"}]}]");

      // Whichever comes first: the hold, or (without the check) the deletes.
      NodeDaemon held = awaitHoldOrDelete(fleet, history);
      assertThat(history.deletedUids()).as("working pods deleted").isEmpty();
      assertThat(condition(held, "Paused").getMessage())
          .contains("the API server refuses its pods")
          .contains("undeclared");
      fleet.awaitEvents("agent", "PodTemplateRejected", 1, Duration.ofSeconds(30));
      assertThat(uids(fleet.pods("agent"))).as("every working pod").isEqualTo(before);
      assertThat(history.deletedUids()).isEmpty();
      assertThat(fleet.eventReasons("agent")).doesNotContain("SuccessfulDelete", "FailedCreate");

      // The fix: no such mount, and a new image roll out as usual.
      fleet.patch(
          "agent",
          "[{\"op\": \"remove\", \"path\": \"/spec/template/spec/containers/0/volumeMounts\"},"
              + " {\"op\": \"replace\", \"path\":"
              + " \"/spec/template/spec/containers/0/image\", \"value\": \""
              + V2
              + "\"}]");
      fleet.awaitAllOnImage("agent", nodes, V2);
      fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    }
  }

  @Test
  void aPodThePodSecurityPolicyForbidsDeletesNoWorkingPod() {
    TestFleet fleet = new TestFleet("podsecurity");
    List<String> nodes = fleet.addNodes("n", 3);
    fleet.create(agent(fleet));
    List<String> before = uids(fleet.awaitReadyOnExactly("agent", nodes));
    fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    // From now on the namespace admits only restricted pods; the agent's pod is not one.
    label(fleet, "restricted");

    try (ImageHistory history = new ImageHistory(fleet.client(), fleet.namespace(), "agent")) {
      fleet.setImage("agent", V2);

      NodeDaemon held = awaitHoldOrDelete(fleet, history);
      assertThat(history.deletedUids()).as("working pods deleted").isEmpty();
      assertThat(condition(held, "Paused").getMessage()).contains("PodSecurity");
      assertThat(uids(fleet.pods("agent"))).isEqualTo(before);
      assertThat(history.deletedUids()).isEmpty();

      label(fleet, "privileged");
      fleet.awaitAllOnImage("agent", nodes, V2);
      fleet.awaitStatus("agent", phase(RolloutPhase.Complete));
    }
  }

  /** The NodeDaemon once it holds with PodTemplateRejected, or as it is when a pod was deleted. */
  private static NodeDaemon awaitHoldOrDelete(TestFleet fleet, ImageHistory history) {
    return fleet.awaitStatus(
        "agent", nd -> heldBy("PodTemplateRejected").test(nd) || !history.deletedUids().isEmpty());
  }

  private static void label(TestFleet fleet, String level) {
    fleet
        .client()
        .namespaces()
        .withName(fleet.namespace())
        .edit(
            ns -> {
              ns.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", level);
              return ns;
            });
  }

  /** Five running pods and a budget of 100%: without the check, every pod would go at once. */
  private static NodeDaemon agent(TestFleet fleet) {
    NodeDaemon nd = fleet.logAgent("agent");
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(V1);
    return TestFleet.withRollingUpdate(nd, "100%", null);
  }

  private static List<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).sorted().toList();
  }
}
