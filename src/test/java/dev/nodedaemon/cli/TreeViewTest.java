package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.GateFailure;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.StepState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code get}'s tree, from objects built as the operator and the API server write them. */
class TreeViewTest {

  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  @Test
  void aStagedRolloutShowsRevisionsAndTheUpdatedPodsByStep() {
    // steps [1, 10%, 50%, 100%] on 20 nodes (1, 2, 10, 20), at step 3, rolling.
    NodeDaemon nd = StepStatusTest.staged(RolloutPhase.Progressing, 3, StepState.Rolling, 20, 10);
    nd.getMetadata().setNamespace("seeds");
    nd.getMetadata().setCreationTimestamp(T0.toString());
    nd.getStatus().setCurrentRevision("h1");
    nd.getStatus().setUpdatedNumberScheduled(4);
    nd.getStatus().setUpdatedNumberAvailable(3);
    List<Revision> revisions =
        List.of(
            new Revision(1, "h1", "agent-h1", "first install", T0.toString(), null, null),
            new Revision(2, "h0", "agent-h0", "v1.1", T0.toString(), "crash loop on node-9", null),
            new Revision(3, "h2", "agent-h2", "v2", T0.plusSeconds(60).toString(), null, null),
            new Revision(4, "hx", "agent-hx", "unused", T0.toString(), null, null));
    List<Pod> pods =
        List.of(
            pod("agent-n0-h2", "n0", "h2", 100, true),
            pod("agent-n1-h2", "n1", "h2", 200, true),
            pod("agent-n2-h2", "n2", "h2", 300, false),
            pod("agent-n5-h2", "n5", "h2", 400, true),
            pod("agent-n3-h1", "n3", "h1", 10, true),
            pod("agent-n4-h1", "n4", "h1", 10, true));
    String table =
        TreeView.render(
            List.of(new TreeView.Owned(nd, revisions, pods)), T0.plusSeconds(600), false);
    assertThat(table)
        .isEqualTo(
            """
            NAME                      NODE   STATUS        READY   AGE     INFO
            agent                            Progressing           10m     step 3/4: 50%; 4/20 updated, 3 available
            ├── revision 3 (h2)              update                9m      v2
            │   ├── step 1: 1 node
            │   │   └── agent-n0-h2   n0     Running       1/1     8m20s
            │   ├── step 2: 10%
            │   │   └── agent-n1-h2   n1     Running       1/1     6m40s
            │   └── step 3: 50%              current
            │       ├── agent-n2-h2   n2     NotReady      0/1     5m
            │       └── agent-n5-h2   n5     Running       1/1     3m20s
            ├── revision 2 (h0)              bad                   10m     marked bad: crash loop on node-9
            └── revision 1 (h1)              stable                10m     first install
                ├── agent-n3-h1       n3     Running       1/1     9m50s
                └── agent-n4-h1       n4     Running       1/1     9m50s
            """);
  }

  @Test
  void everyNamespaceAddsANamespaceColumnAndFailedGatesAreNamedOnTheirPods() {
    NodeDaemon nd = StepStatusTest.staged(RolloutPhase.Failed, 1, StepState.Rolling, 2, 1);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setSteps(null);
    nd.getStatus().setRollout(new dev.nodedaemon.api.RolloutProgress());
    nd.getStatus().getRollout().setTargetNodes(2);
    nd.getStatus().getRollout().setFailedNodes(1);
    nd.getStatus().getRollout().setFailedNodesThreshold(1);
    nd.getStatus()
        .getRollout()
        .setGateFailures(
            List.of(new GateFailure("n0", "agent-n0-h2", "CrashLoopBackOff", "", null)));
    nd.getStatus().setUpdatedNumberScheduled(1);
    nd.getMetadata().setNamespace("seeds");
    nd.getMetadata().setCreationTimestamp(T0.toString());
    Pod crashing = pod("agent-n0-h2", "n0", "h2", 0, false);
    crashing.getStatus().getContainerStatuses().get(0).setRestartCount(4);
    String table =
        TreeView.render(
            List.of(
                new TreeView.Owned(
                    nd,
                    List.of(new Revision(2, "h2", "agent-h2", null, T0.toString(), null, null)),
                    List.of(crashing))),
            T0.plusSeconds(30),
            true);
    assertThat(table)
        .isEqualTo(
            """
            NAMESPACE   NAME                  NODE   STATUS     READY   AGE   INFO
            seeds       agent                        Failed             30s   1/2 updated, 0 available; 1 node failed health gates (threshold 1)
                        └── revision 2 (h2)          update             30s
                            └── agent-n0-h2   n0     NotReady   0/1     30s   failed health gate: CrashLoopBackOff, restarts 4
            """);
  }

  @Test
  void theUpdateRevisionsPrePullPodsFollowTheRevisionsWithTheirPullState() {
    NodeDaemon nd = StepStatusTest.staged(RolloutPhase.Progressing, 1, StepState.Rolling, 3, 1);
    nd.getSpec().getUpdateStrategy().getRollingUpdate().setSteps(null);
    nd.getStatus().setRollout(null);
    nd.getStatus().setCurrentRevision("h1");
    nd.getStatus().setUpdatedNumberScheduled(1);
    nd.getMetadata().setCreationTimestamp(T0.toString());
    List<Revision> revisions =
        List.of(
            new Revision(1, "h1", "agent-h1", null, T0.toString(), null, null),
            new Revision(2, "h2", "agent-h2", null, T0.toString(), null, null));
    List<Pod> pods =
        List.of(pod("agent-n0-h2", "n0", "h2", 60, true), pod("agent-n1-h1", "n1", "h1", 0, true));
    List<Pod> prePulls =
        List.of(
            prePull("n2", "h2", null, 90),
            prePull("n1", "h2", "ErrImagePull", 60),
            prePull("n3", "h2", "ContainerCreating", 100),
            prePull("n4", "h1", null, 0)); // the stable revision's: on its way out, not shown
    String table =
        TreeView.render(
            List.of(new TreeView.Owned(nd, revisions, pods, prePulls)), T0.plusSeconds(120), false);
    assertThat(table)
        .isEqualTo(
            """
            NAME                              NODE   STATUS                  READY   AGE   INFO
            agent                                    Progressing                     2m    1/3 updated, 0 available
            ├── revision 2 (h2)                      update                          2m
            │   └── agent-n0-h2               n0     Running                 1/1     60s
            ├── revision 1 (h1)                      stable                          2m
            │   └── agent-n1-h1               n1     Running                 1/1     2m
            └── pre-pull of revision 2 (h2)
                ├── agent-prepull-n1-h2       n1     failed (ErrImagePull)   0/1     60s   prepull: pull example.com/agent:v2 failed
                ├── agent-prepull-n2-h2       n2     pulled                  1/1     30s
                └── agent-prepull-n3-h2       n3     pulling                 0/1     20s
            """);
  }

  @Test
  void notFoundSaysWhatAndWhereAndWhereElseItIs() {
    assertThat(Cluster.notFound("agent", "default", List.of()))
        .isEqualTo(
            "Error from server (NotFound): nodedaemons.nodedaemon.dev \"agent\" not found in"
                + " namespace \"default\"");
    assertThat(Cluster.notFound("agent", "default", List.of("seeds", "prod")))
        .endsWith(
            "not found in namespace \"default\"; it exists in namespace seeds, prod (use -n"
                + " seeds)");
  }

  @Test
  void aServerThatIsNotThereIsNamedAsKubectlNamesIt() {
    var refused =
        new io.fabric8.kubernetes.client.KubernetesClientException(
            "Operation: [get] for kind: [NodeDaemon] with name: [x] in namespace: [y] failed.",
            new java.io.IOException(new java.net.ConnectException("Connection refused")));
    assertThat(Errors.refused(refused, "https://127.0.0.1:6443/"))
        .contains(
            "The connection to the server 127.0.0.1:6443 was refused - did you specify the right"
                + " host or port?");
    assertThat(
            Errors.refused(
                new io.fabric8.kubernetes.client.KubernetesClientException("forbidden"),
                "https://127.0.0.1:6443/"))
        .isEmpty();
  }

  /**
   * A pre-pull pod as the operator makes it (labels, no daemon label) and kwok leaves it: ready
   * when {@code waiting} is null, else its container waiting with that reason.
   */
  private static Pod prePull(String node, String revision, String waiting, long createdAfter) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("agent-prepull-" + node + "-" + revision)
            .withLabels(
                Map.of(
                    "nodedaemon.dev/prepull-for",
                    "agent",
                    "nodedaemon.dev/prepull-revision",
                    revision))
            .withAnnotations(Map.of("nodedaemon.dev/node", node))
            .withCreationTimestamp(T0.plusSeconds(createdAfter).toString())
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .addNewContainer()
            .withName("prepull")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase(waiting == null ? "Running" : "Pending")
            .addNewCondition()
            .withType("Ready")
            .withStatus(waiting == null ? "True" : "False")
            .endCondition()
            .addNewContainerStatus()
            .withName("prepull")
            .withReady(waiting == null)
            .endContainerStatus()
            .endStatus()
            .build();
    if (waiting != null) {
      pod.getStatus()
          .getContainerStatuses()
          .get(0)
          .setState(
              new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                  .withNewWaiting()
                  .withReason(waiting)
                  .withMessage(
                      waiting.equals("ErrImagePull") ? "pull example.com/agent:v2 failed" : null)
                  .endWaiting()
                  .build());
    }
    return pod;
  }

  private static Pod pod(String name, String node, String hash, long createdAfter, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(Map.of("controller-revision-hash", hash, "nodedaemon.dev/name", "agent"))
        .withAnnotations(Map.of("nodedaemon.dev/node", node))
        .withCreationTimestamp(T0.plusSeconds(createdAfter).toString())
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("c")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .addNewContainerStatus()
        .withName("c")
        .withReady(ready)
        .withRestartCount(0)
        .endContainerStatus()
        .endStatus()
        .build();
  }
}
