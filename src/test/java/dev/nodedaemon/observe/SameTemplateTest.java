package dev.nodedaemon.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a pod adopted from a DaemonSet may differ in and still be the NodeDaemon's pod. */
class SameTemplateTest {

  @Test
  void aPodThatDiffersOnlyInPlacementTokenVolumeAndTolerationOrderMatches() {
    Pod expected = pod("agent:1", "kube-api-access-abcde", "a", "b", Map.of("app", "agent"));
    expected.getMetadata().getAnnotations().put("nodedaemon.dev/node", "n1");
    Pod actual = pod("agent:1", "kube-api-access-zzzzz", "b", "a", Map.of("app", "agent"));
    actual.getSpec().setNodeName("n1");
    actual.getMetadata().getLabels().put("controller-revision-hash", "7d9f8");
    actual.getMetadata().getLabels().put("pod-template-generation", "1");

    assertThat(SameTemplate.matches(expected, actual)).isTrue();
  }

  @Test
  void anotherImageIsAnotherPod() {
    Pod expected = pod("agent:1", "kube-api-access-a", "a", "b", Map.of("app", "agent"));
    expected.getMetadata().getAnnotations().put("nodedaemon.dev/node", "n1");
    Pod actual = pod("agent:2", "kube-api-access-a", "a", "b", Map.of("app", "agent"));
    actual.getSpec().setNodeName("n1");

    assertThat(SameTemplate.matches(expected, actual)).isFalse();
  }

  @Test
  void aMissingTemplateLabelOrAnotherNodeIsAnotherPod() {
    Pod expected = pod("agent:1", "kube-api-access-a", "a", "b", Map.of("app", "agent", "v", "1"));
    expected.getMetadata().getAnnotations().put("nodedaemon.dev/node", "n1");
    Pod unlabelled = pod("agent:1", "kube-api-access-a", "a", "b", Map.of("app", "agent"));
    unlabelled.getSpec().setNodeName("n1");
    Pod elsewhere = pod("agent:1", "kube-api-access-a", "a", "b", Map.of("app", "agent", "v", "1"));
    elsewhere.getSpec().setNodeName("n2");

    assertThat(SameTemplate.matches(expected, unlabelled)).isFalse();
    assertThat(SameTemplate.matches(expected, elsewhere)).isFalse();
  }

  private static Pod pod(
      String image,
      String tokenVolume,
      String firstToleration,
      String secondToleration,
      Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withLabels(new java.util.HashMap<>(labels))
        .withAnnotations(new java.util.HashMap<>())
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("agent")
        .withImage(image)
        .addNewVolumeMount()
        .withName(tokenVolume)
        .withMountPath("/var/run/secrets/kubernetes.io/serviceaccount")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName(tokenVolume)
        .withNewProjected()
        .endProjected()
        .endVolume()
        .withTolerations(
            new TolerationBuilder().withKey(firstToleration).withOperator("Exists").build(),
            new TolerationBuilder().withKey(secondToleration).withOperator("Exists").build())
        .endSpec()
        .build();
  }
}
