package dev.nodedaemon.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InPlaceUpdateTest {

  private final PodTemplateSpec before =
      new PodTemplateSpecBuilder()
          .withNewMetadata()
          .withLabels(Map.of("app", "agent"))
          .endMetadata()
          .withNewSpec()
          .addNewContainer()
          .withName("agent")
          .withImage("agent:1")
          .endContainer()
          .addNewContainer()
          .withName("sidecar")
          .withImage("sidecar:1")
          .endContainer()
          .endSpec()
          .build();

  @Test
  void onlyImagesChangedGivesTheNewImagePerChangedContainer() {
    PodTemplateSpec after = Serialization.clone(before);
    after.getSpec().getContainers().get(1).setImage("sidecar:2");

    assertThat(InPlaceUpdate.imageChanges(before, after)).contains(Map.of("sidecar", "sidecar:2"));
  }

  @Test
  void anyOtherChangeNeedsANewPod() {
    PodTemplateSpec env = Serialization.clone(before);
    env.getSpec().getContainers().get(0).setImage("agent:2");
    env.getSpec().getContainers().get(0).setArgs(List.of("-v"));
    PodTemplateSpec label = Serialization.clone(before);
    label.getSpec().getContainers().get(0).setImage("agent:2");
    label.getMetadata().getLabels().put("tier", "node");
    PodTemplateSpec renamed = Serialization.clone(before);
    renamed.getSpec().getContainers().get(0).setName("shipper");
    PodTemplateSpec init = Serialization.clone(before);
    init.getSpec().getContainers().get(0).setImage("agent:2");
    init.getSpec()
        .setInitContainers(
            List.of(
                new io.fabric8.kubernetes.api.model.ContainerBuilder()
                    .withName("setup")
                    .withImage("setup:1")
                    .build()));

    assertThat(InPlaceUpdate.imageChanges(before, env)).isEmpty();
    assertThat(InPlaceUpdate.imageChanges(before, label)).isEmpty();
    assertThat(InPlaceUpdate.imageChanges(before, renamed)).isEmpty();
    assertThat(InPlaceUpdate.imageChanges(before, init)).isEmpty();
  }

  @Test
  void noChangeIsNoInPlaceUpdate() {
    assertThat(InPlaceUpdate.imageChanges(before, Serialization.clone(before))).isEmpty();
    assertThat(InPlaceUpdate.imageChanges(null, before)).isEmpty();
  }
}
