package dev.nodedaemon.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.testing.FaultProxy;
import dev.nodedaemon.testing.FaultProxy.Rule;
import dev.nodedaemon.testing.OperatorProcess;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.PodInvariantChecker.Bounds;
import dev.nodedaemon.testing.ProxiedCluster;
import dev.nodedaemon.testing.TestFleet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pod write whose answer never comes does not hold the NodeDaemon for ever. Found in CI by
 * FaultMatrixIT's API blackout: a NodeDaemon's reconcile waited for good on a write of its step,
 * and the Java Operator SDK does not reconcile a resource again while its reconcile runs.
 *
 * <p>Here the proxy holds every pod create's answer for an hour (the API server made the pod), and
 * the operator's client has no request timeout of its own, so only the operator's pod write
 * deadline ends each wait. The rollout must complete, within its budget.
 */
class UnansweredWriteIT {

  private static final int NODES = 6;
  private static final String IMAGE = "quay.io/fluentd_elasticsearch/fluentd:";
  private static final Duration WRITE_DEADLINE = Duration.ofSeconds(5);

  private final ProxiedCluster faulty = ProxiedCluster.get();
  private final FaultProxy proxy = faulty.proxy();

  @AfterEach
  void noFaultsLeft() {
    proxy.clearRules();
    faulty.stopOperator(); // the next tests get an operator with the defaults
  }

  @Test
  void aRolloutWhosePodCreatesAreNeverAnsweredCompletes() {
    OperatorProcess operator =
        faulty.replaceOperator(
            Map.of(
                "quarkus.kubernetes-client.request-timeout",
                "0s",
                "nodedaemon.pod-write-deadline",
                WRITE_DEADLINE.toSeconds() + "s"));
    TestFleet fleet = new TestFleet(faulty.cluster(), "unanswered");
    fleet.addNodes("n", NODES);
    NodeDaemon nd = TestFleet.withReadyDelay(fleet.logAgent("agent"), "1s");
    nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(IMAGE + "v1");
    TestFleet.withRollingUpdate(nd, 2, 0);
    fleet.create(nd);
    fleet.awaitPods("agent", TestFleet.allReadyOn(IMAGE + "v1", NODES), Duration.ofMinutes(2));

    proxy.setRules(Rule.answerLatency("create", "pods", Duration.ofHours(1)));
    try (PodInvariantChecker checker =
        new PodInvariantChecker(
            fleet.client(), fleet.namespace(), "agent", Bounds.rollingUpdate(2, 0))) {
      fleet.setImage("agent", IMAGE + "v2");
      fleet.awaitPods("agent", TestFleet.allReadyOn(IMAGE + "v2", NODES), Duration.ofMinutes(3));
      checker.awaitCaughtUp();

      assertThat(proxy.ruleCounter("answersHeld")).as("pod create answers held").isPositive();
      assertThat(operator.logText())
          .as("the operator gave up waiting on a write")
          .contains("no answer from the API server in " + WRITE_DEADLINE.toSeconds() + " s");
      assertThat(checker.violations()).isEmpty();
      assertThat(checker.peakNodesWithoutReadyPod()).isLessThanOrEqualTo(2);
      assertThat(checker.deletedPods()).as("only the v1 pods deleted, one per node").hasSize(NODES);
    }
  }
}
