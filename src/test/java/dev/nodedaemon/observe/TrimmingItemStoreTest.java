package dev.nodedaemon.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** The informer stores keep every field the operator reads and drop the rest. */
class TrimmingItemStoreTest {

  private static final String POD =
      """
      apiVersion: v1
      kind: Pod
      metadata:
        name: agent-abc-node-1
        namespace: ns
        uid: u-1
        resourceVersion: "42"
        creationTimestamp: "2026-11-30T09:00:00Z"
        deletionTimestamp: "2026-11-30T09:05:00Z"
        deletionGracePeriodSeconds: 30
        labels: {app: agent, controller-revision-hash: abc}
        annotations: {nodedaemon.dev/node: node-1}
        ownerReferences:
        - {apiVersion: nodedaemon.dev/v1alpha1, kind: NodeDaemon, name: agent, uid: nd-1, controller: true}
        managedFields:
        - {manager: kubelet, operation: Update}
      spec:
        nodeName: node-1
        hostNetwork: true
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms:
              - matchFields: [{key: metadata.name, operator: In, values: [node-1]}]
        tolerations: [{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute}]
        volumes: [{name: kube-api-access-x, projected: {sources: []}}]
        containers:
        - name: agent
          image: registry.example/agent:1
          ports: [{containerPort: 9100, hostPort: 9100}]
          env: [{name: A, value: b}]
          resources: {requests: {cpu: 10m}}
          volumeMounts: [{name: kube-api-access-x, mountPath: /var/run/secrets}]
        - name: sidecar
          image: registry.example/sidecar:1
      status:
        phase: Running
        reason: Evicted
        message: gone
        podIP: 10.0.0.1
        hostIP: 192.168.0.1
        qosClass: Burstable
        conditions:
        - {type: Ready, status: "True", lastTransitionTime: "2026-11-30T09:01:00Z"}
        containerStatuses:
        - name: agent
          image: registry.example/agent:1
          imageID: sha256:1
          ready: true
          restartCount: 3
          state: {waiting: {reason: CrashLoopBackOff}}
          lastState: {terminated: {reason: OOMKilled, exitCode: 137}}
          volumeMounts: [{name: kube-api-access-x, mountPath: /var/run/secrets}]
      """;

  private static final String NODE =
      """
      apiVersion: v1
      kind: Node
      metadata:
        name: node-1
        resourceVersion: "7"
        deletionTimestamp: "2026-11-30T09:05:00Z"
        labels: {disktype: ssd}
        annotations: {node.alpha.kubernetes.io/ttl: "0"}
        managedFields:
        - {manager: kubelet, operation: Update}
      spec:
        podCIDR: 10.0.0.0/24
        providerID: kwok://node-1
        unschedulable: true
        taints: [{key: gpu, value: "true", effect: NoSchedule}]
      status:
        addresses: [{type: InternalIP, address: 192.168.0.1}]
        capacity: {cpu: "32"}
        allocatable: {cpu: "32"}
        images: [{names: [registry.example/agent:1], sizeBytes: 1}]
        nodeInfo: {kubeletVersion: v1.35.4}
        conditions:
        - {type: Ready, status: "False", reason: KubeletNotReady, lastTransitionTime: "2026-11-30T09:02:00Z"}
      """;

  @Test
  void podKeepsWhatTheOperatorReads() {
    Pod pod = Serialization.unmarshal(POD, Pod.class);
    TrimmingItemStore.trimPod(pod);

    assertThat(pod.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(pod.getMetadata().getName()).isEqualTo("agent-abc-node-1");
    assertThat(pod.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(pod.getMetadata().getUid()).isEqualTo("u-1");
    assertThat(pod.getMetadata().getCreationTimestamp()).isEqualTo("2026-11-30T09:00:00Z");
    assertThat(pod.getMetadata().getDeletionTimestamp()).isEqualTo("2026-11-30T09:05:00Z");
    assertThat(pod.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
    assertThat(pod.getMetadata().getLabels()).containsEntry("controller-revision-hash", "abc");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("nodedaemon.dev/node", "node-1");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo("nd-1");
              assertThat(o.getController()).isTrue();
            });

    assertThat(pod.getSpec().getNodeName()).isEqualTo("node-1");
    assertThat(pod.getSpec().getHostNetwork()).isTrue();
    assertThat(DaemonPods.targetNode(pod)).contains("node-1");
    pod.getSpec().setNodeName(null);
    pod.getMetadata().getAnnotations().clear();
    assertThat(DaemonPods.targetNode(pod)).as("from the pinning affinity").contains("node-1");
    assertThat(pod.getSpec().getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("node.kubernetes.io/not-ready"));
    assertThat(pod.getSpec().getContainers())
        .extracting("name", "image")
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("agent", "registry.example/agent:1"),
            org.assertj.core.groups.Tuple.tuple("sidecar", "registry.example/sidecar:1"));
    assertThat(pod.getSpec().getContainers().get(0).getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getHostPort()).isEqualTo(9100));
    assertThat(pod.getSpec().getVolumes()).isNullOrEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getEnv()).isNullOrEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts()).isNullOrEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getResources()).isNull();

    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    assertThat(pod.getStatus().getReason()).isEqualTo("Evicted");
    assertThat(pod.getStatus().getMessage()).isEqualTo("gone");
    assertThat(pod.getStatus().getConditions())
        .singleElement()
        .satisfies(c -> assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-30T09:01:00Z"));
    assertThat(pod.getStatus().getContainerStatuses())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getRestartCount()).isEqualTo(3);
              assertThat(c.getImageID()).isEqualTo("sha256:1");
              assertThat(c.getImage()).isEqualTo("registry.example/agent:1");
              assertThat(c.getReady()).isTrue();
              assertThat(c.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
              assertThat(c.getLastState().getTerminated().getReason()).isEqualTo("OOMKilled");
              assertThat(c.getVolumeMounts()).isNullOrEmpty();
            });
    assertThat(pod.getStatus().getPodIP()).isNull();
    assertThat(pod.getStatus().getHostIP()).isNull();
    assertThat(pod.getStatus().getQosClass()).isNull();
  }

  @Test
  void nodeKeepsWhatTheOperatorReads() {
    Node node = Serialization.unmarshal(NODE, Node.class);
    TrimmingItemStore.trimNode(node);

    assertThat(node.getMetadata().getName()).isEqualTo("node-1");
    assertThat(node.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(node.getMetadata().getDeletionTimestamp()).isEqualTo("2026-11-30T09:05:00Z");
    assertThat(node.getMetadata().getLabels()).containsEntry("disktype", "ssd");
    // Empty but present: the SDK reads it on every event, and null made it drop node events.
    assertThat(node.getMetadata().getAnnotations()).isNotNull().isEmpty();
    assertThat(node.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(node.getSpec().getUnschedulable()).isTrue();
    assertThat(node.getSpec().getTaints())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("gpu"));
    assertThat(node.getSpec().getPodCIDR()).isNull();
    assertThat(node.getSpec().getProviderID()).isNull();
    assertThat(node.getStatus().getConditions())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("KubeletNotReady");
              assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-30T09:02:00Z");
            });
    assertThat(node.getStatus().getAddresses()).isNullOrEmpty();
    assertThat(node.getStatus().getCapacity()).isNullOrEmpty();
    assertThat(node.getStatus().getAllocatable()).isNullOrEmpty();
    assertThat(node.getStatus().getImages()).isNullOrEmpty();
    assertThat(node.getStatus().getNodeInfo()).isNull();
  }
}
