package dev.nodedaemon.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A NodeDaemon's objects are those its UID controls, not those its name does. */
class OwnershipTest {

  @Test
  void onlyObjectsWhoseControllerIsThisNodeDaemonByUidAreItsOwn() {
    NodeDaemon nd = new NodeDaemon();
    nd.setMetadata(new ObjectMetaBuilder().withName("agent").withUid("uid-new").build());
    Pod own = pod("own", owner("uid-new", true));
    Pod predecessors = pod("predecessor", owner("uid-old", true));
    Pod merelyOwned = pod("not-controlled", owner("uid-new", false));
    Pod orphan = pod("orphan");

    assertThat(Ownership.controlledBy(nd, List.of(own, predecessors, merelyOwned, orphan)))
        .containsExactly(own);
  }

  private static OwnerReference owner(String uid, boolean controller) {
    return new OwnerReferenceBuilder()
        .withApiVersion("nodedaemon.dev/v1alpha1")
        .withKind("NodeDaemon")
        .withName("agent")
        .withUid(uid)
        .withController(controller)
        .build();
  }

  private static Pod pod(String name, OwnerReference... owners) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withOwnerReferences(owners)
        .endMetadata()
        .build();
  }
}
