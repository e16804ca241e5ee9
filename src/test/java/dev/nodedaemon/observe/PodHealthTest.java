package dev.nodedaemon.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pod states as the kubelet and the scheduler (and the kwok stages in hack/kwok) write them. */
class PodHealthTest {

  @Test
  void anUnschedulablePodSaysWhyTheSchedulerRefusedIt() {
    Pod pod =
        pod(
            "Pending",
            List.of(
                new PodConditionBuilder()
                    .withType("PodScheduled")
                    .withStatus("False")
                    .withReason("Unschedulable")
                    .withMessage("0/1 nodes are available: 1 Insufficient cpu.")
                    .build()),
            List.of());

    assertThat(PodHealth.problemOf(pod))
        .isEqualTo(
            new PodHealth.Problem("Unschedulable", "0/1 nodes are available: 1 Insufficient cpu."));
  }

  @Test
  void aCrashLoopIsNamedWithItsRestarts() {
    Pod pod = pod("Running", notReady(), List.of(waiting("CrashLoopBackOff", "Error", 4)));

    PodHealth.Problem problem = PodHealth.problemOf(pod);
    assertThat(problem.reason()).isEqualTo("CrashLoopBackOff");
    assertThat(problem.message()).contains("container agent").contains("4 restarts");
  }

  @Test
  void aCrashLoopAfterAnOutOfMemoryKillIsOomKilled() {
    Pod pod = pod("Running", notReady(), List.of(waiting("CrashLoopBackOff", "OOMKilled", 2)));

    assertThat(PodHealth.problemOf(pod).reason()).isEqualTo("OOMKilled");
  }

  @Test
  void imagePullFailuresAreNamed() {
    assertThat(
            PodHealth.problemOf(pod("Pending", notReady(), List.of(waiting("ErrImagePull", "", 0))))
                .reason())
        .isEqualTo("ErrImagePull");
    assertThat(
            PodHealth.problemOf(
                    pod("Pending", notReady(), List.of(waiting("ImagePullBackOff", "", 0))))
                .reason())
        .isEqualTo("ImagePullBackOff");
  }

  @Test
  void aRunningPodThatIsNotReadyIsNotReady() {
    ContainerStatus running =
        new ContainerStatusBuilder()
            .withName("agent")
            .withReady(false)
            .withNewState()
            .withNewRunning()
            .endRunning()
            .endState()
            .build();

    assertThat(PodHealth.problemOf(pod("Running", notReady(), List.of(running))))
        .isEqualTo(new PodHealth.Problem("NotReady", "ContainersNotReady"));
  }

  @Test
  void anInPlaceUpdateIsPendingUntilTheKubeletRunsTheNewImage() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("agent-1")
            .withAnnotations(Map.of(DaemonPods.IN_PLACE_ANNOTATION, "agent=agent@sha256:old"))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("agent")
            .withImage("agent:2")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build())
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("agent")
                    .withImage("docker.io/library/agent:1")
                    .withImageID("agent@sha256:old")
                    .build())
            .endStatus()
            .build();
    assertThat(DaemonPods.inPlaceUpdatePending(pod)).isTrue();
    assertThat(DaemonPods.isReady(pod)).as("still Ready from the old container").isFalse();

    pod.getStatus().getContainerStatuses().get(0).setImage("docker.io/library/agent:2");
    pod.getStatus().getContainerStatuses().get(0).setImageID("agent@sha256:new");
    assertThat(DaemonPods.inPlaceUpdatePending(pod)).isFalse();
    assertThat(DaemonPods.isReady(pod)).isTrue();
  }

  private static Pod pod(
      String phase, List<PodCondition> conditions, List<ContainerStatus> containers) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("agent-1")
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .withConditions(conditions)
        .withContainerStatuses(containers)
        .endStatus()
        .build();
  }

  private static List<PodCondition> notReady() {
    return List.of(
        new PodConditionBuilder()
            .withType("Ready")
            .withStatus("False")
            .withReason("ContainersNotReady")
            .build());
  }

  private static ContainerStatus waiting(String reason, String lastTerminated, int restarts) {
    ContainerStatusBuilder builder =
        new ContainerStatusBuilder()
            .withName("agent")
            .withRestartCount(restarts)
            .withNewState()
            .withNewWaiting()
            .withReason(reason)
            .endWaiting()
            .endState();
    if (!lastTerminated.isEmpty()) {
      builder
          .withNewLastState()
          .withNewTerminated()
          .withReason(lastTerminated)
          .withExitCode(1)
          .endTerminated()
          .endLastState();
    }
    return builder.build();
  }
}
