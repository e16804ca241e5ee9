package dev.nodedaemon.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A NodeDaemon created again holds the nodes its predecessor's pods are on, briefly. */
class PredecessorPodsTest {

  private static final Instant CREATED = Instant.parse("2026-11-30T10:00:00Z");

  private final NodeDaemon agent = nodeDaemon("agent", "uid-new");

  @Test
  void aNodeWhosePodAnEarlierNodeDaemonOfTheNameControlsIsHeldUntilTheWindowEnds() {
    List<Pod> cached =
        List.of(
            pod("p1", "n-1", "NodeDaemon", "agent", "uid-old", false),
            pod("p2", "n-2", "NodeDaemon", "agent", "uid-new", false),
            pod("p3", "n-3", null, null, null, false));

    PredecessorPods.Hold hold = PredecessorPods.of(agent, cached, CREATED.plusSeconds(2));

    assertThat(hold.nodes()).containsExactly("n-1");
    assertThat(hold.until()).contains(CREATED.plus(PredecessorPods.WINDOW));
    assertThat(PredecessorPods.of(agent, cached, CREATED.plus(PredecessorPods.WINDOW)))
        .as("after the window the node gets its pod even if the old owner is never removed")
        .isEqualTo(PredecessorPods.Hold.NONE);
  }

  @Test
  void terminatingPodsAndOtherOwnersHoldNothing() {
    List<Pod> cached =
        List.of(
            pod("p1", "n-1", "NodeDaemon", "agent", "uid-old", true),
            pod("p2", "n-2", "NodeDaemon", "other", "uid-other", false),
            pod("p3", "n-3", "DaemonSet", "agent", "uid-ds", false));

    assertThat(PredecessorPods.of(agent, cached, CREATED.plusSeconds(1)))
        .isEqualTo(PredecessorPods.Hold.NONE);
  }

  private static NodeDaemon nodeDaemon(String name, String uid) {
    NodeDaemon nd = new NodeDaemon();
    nd.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withUid(uid)
            .withCreationTimestamp(CREATED.toString())
            .build());
    return nd;
  }

  private static Pod pod(
      String name, String node, String kind, String owner, String uid, boolean terminating) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .endSpec();
    if (kind != null) {
      pod.editMetadata()
          .withOwnerReferences(
              new OwnerReferenceBuilder()
                  .withKind(kind)
                  .withName(owner)
                  .withUid(uid)
                  .withController(true)
                  .build())
          .endMetadata();
    }
    if (terminating) {
      pod.editMetadata().withDeletionTimestamp(CREATED.toString()).endMetadata();
    }
    return pod.build();
  }
}
