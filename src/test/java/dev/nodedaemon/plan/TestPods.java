package dev.nodedaemon.plan;

import dev.nodedaemon.apply.DaemonPodFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.Map;

/** Daemon pods for the planner's table tests: one running pod of a revision on a node. */
final class TestPods {

  private TestPods() {}

  /**
   * A running pod of {@code revision} on {@code node}, created at {@code since} and Ready (or not)
   * since then, named {@code agent-NODE-REVISION} in namespace {@code ns}.
   */
  static Pod running(String uid, String node, String revision, boolean ready, Instant since) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("agent-" + node + "-" + revision)
        .withNamespace("ns")
        .withUid(uid)
        .withCreationTimestamp(since.toString())
        .withLabels(Map.of("app", "agent", DaemonPodFactory.REVISION_LABEL, revision))
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .withLastTransitionTime(since.toString())
        .endCondition()
        .endStatus()
        .build();
  }
}
