package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.PodLabels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Image pre-pull as `nodes` and `status` print it, from the pre-pull pods' labels and states. */
class PrePullViewTest {

  private static final String UPDATE = "h2";

  @Test
  void eachNodeIsPulledPullingOrFailedWithTheReason() {
    List<Pod> pods =
        List.of(
            prePull("node-a", UPDATE, "ready"),
            prePull("node-b", UPDATE, "ContainerCreating"),
            prePull("node-c", UPDATE, "ErrImagePull"),
            prePull("node-d", "h1", "ready")); // another revision's: on its way out

    Map<String, PrePullView.Pull> pulls = PrePullView.of(pods, UPDATE);

    assertThat(pulls.values().stream().map(p -> p.node() + " " + p.cell()))
        .containsExactly("node-a pulled", "node-b pulling", "node-c failed (ErrImagePull)");
    assertThat(PrePullView.line(pulls))
        .isEqualTo(
            "Pre-pull (nodes ahead of the front): 1 pulled, 1 pulling, 1 failed on node-c:"
                + " ErrImagePull (prepull: pull example.com/agent:v2-nopull failed)");
    assertThat(PrePullView.line(PrePullView.of(List.of(), UPDATE)))
        .isEqualTo("Pre-pull (nodes ahead of the front): none");
  }

  @Test
  void theNodesTableHasAPrePullColumnWhenPrePullIsOn() {
    Map<String, PrePullView.Pull> pulls =
        PrePullView.of(
            List.of(prePull("node-a", UPDATE, "ready"), prePull("node-b", UPDATE, "ErrImagePull")),
            UPDATE);
    List<NodeRows.Row> rows =
        NodeRows.build(
            List.of(),
            List.of(),
            UPDATE,
            List.of(),
            List.of("node-a", "node-b", "node-c"),
            Map.of(),
            pulls);

    assertThat(NodeRows.table(rows, Instant.parse("2026-01-01T00:00:00Z"), false))
        .isEqualTo(
            """
            NODE     POD      REVISION   UPDATED   READY   AGE   PREPULL                 REASON
            node-a   <none>   -          -         -       -     pulled                  PodMissing
            node-b   <none>   -          -         -       -     failed (ErrImagePull)   PodMissing
            node-c   <none>   -          -         -       -     -                       PodMissing
            """);
    List<NodeRows.Row> off =
        NodeRows.build(List.of(), List.of(), UPDATE, List.of(), List.of("node-a"), Map.of(), null);
    assertThat(NodeRows.table(off, Instant.parse("2026-01-01T00:00:00Z"), false))
        .doesNotContain("PREPULL");
  }

  /** A pre-pull pod as kwok leaves it: ready, or its container waiting with the reason. */
  private static Pod prePull(String node, String revision, String state) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("agent-prepull-" + node + "-" + revision)
            .withLabels(
                Map.of(
                    PodLabels.PREPULL_LABEL, "agent", PodLabels.PREPULL_REVISION_LABEL, revision))
            .withAnnotations(Map.of(PodLabels.NODE_ANNOTATION, node))
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .endSpec();
    if (state.equals("ready")) {
      return pod.withNewStatus()
          .withPhase("Running")
          .addNewCondition()
          .withType("Ready")
          .withStatus("True")
          .endCondition()
          .endStatus()
          .build();
    }
    return pod.withNewStatus()
        .withPhase("Pending")
        .addNewContainerStatus()
        .withName("prepull")
        .withReady(false)
        .withNewState()
        .withNewWaiting()
        .withReason(state)
        .withMessage(
            state.equals("ErrImagePull") ? "pull example.com/agent:v2-nopull failed" : null)
        .endWaiting()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }
}
