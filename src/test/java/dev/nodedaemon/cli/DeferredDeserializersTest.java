package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.StepState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plugin's JSON mapping with deferred property deserializers reads what fabric8's own mapping
 * reads, value for value, and fails where it fails: a real pod (from a hack/cluster API server,
 * with managed fields, probes, projected volumes), lists of it, a field of the wrong type, and
 * NodeDaemons with a spec from each sample and a status.
 */
class DeferredDeserializersTest {

  /** fabric8's mapping as the plugin used it before: every deserializer built up front. */
  private final KubernetesSerialization eager = new KubernetesSerialization();

  /** The plugin's; a fresh one per test, so that no deserializer is built yet. */
  private final KubernetesSerialization deferred =
      new KubernetesSerialization(
          new com.fasterxml.jackson.databind.ObjectMapper()
              .registerModule(new DeferredDeserializers()),
          true);

  @Test
  void aRealPodReadsAsFabric8ReadsIt() throws IOException {
    String json = resource("cli/pod.json");
    Pod expected = eager.unmarshal(json, Pod.class);
    Pod actual = deferred.unmarshal(json, Pod.class);
    assertThat(actual).isEqualTo(expected);
    assertThat(eager.asJson(actual)).isEqualTo(eager.asJson(expected));
    // What the comparison stands on: the document's depths were read at all.
    assertThat(actual.getSpec().getVolumes()).hasSize(4);
    assertThat(actual.getSpec().getVolumes().get(3).getProjected().getSources()).hasSize(2);
    assertThat(actual.getMetadata().getManagedFields()).isNotEmpty();
    assertThat(actual.getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPort())
        .hasToString(
            expected
                .getSpec()
                .getContainers()
                .get(0)
                .getReadinessProbe()
                .getHttpGet()
                .getPort()
                .toString());
  }

  @Test
  void aFieldOfTheWrongTypeFailsTheReadWithFabric8sMessage() throws IOException {
    String json =
        resource("cli/pod.json")
            .replace("\"readinessProbe\": {", "\"readinessProbe\": {\"grpc\": \"x\",");
    assertThat(json).contains("\"grpc\": \"x\"");
    Throwable expected = catchThrowable(() -> eager.unmarshal(json, Pod.class));
    Throwable actual = catchThrowable(() -> deferred.unmarshal(json, Pod.class));
    assertThat(expected).hasRootCauseInstanceOf(MismatchedInputException.class);
    assertThat(actual).isInstanceOf(expected.getClass());
    assertThat(actual.getCause()).hasMessage(expected.getCause().getMessage());
  }

  @Test
  void listsReadAsFabric8ReadsThem() throws IOException {
    String pod = resource("cli/pod.json");
    String pods =
        "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"7\"},"
            + "\"items\":["
            + pod
            + ","
            + pod
            + "]}";
    assertThat(deferred.unmarshal(pods, PodList.class))
        .isEqualTo(eager.unmarshal(pods, PodList.class));
    String revisions =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"ControllerRevisionList\",\"metadata\":{},"
            + "\"items\":[{\"metadata\":{\"name\":\"agent-6d9f7c8b5\",\"labels\":"
            + "{\"nodedaemon.dev/name\":\"agent\"}},\"revision\":3,\"data\":{\"spec\":"
            + "{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"b\"}]}}}}}]}";
    ControllerRevisionList read = deferred.unmarshal(revisions, ControllerRevisionList.class);
    assertThat(read).isEqualTo(eager.unmarshal(revisions, ControllerRevisionList.class));
    assertThat(read.getItems().get(0).getRevision()).isEqualTo(3L);
  }

  @Test
  void nodeDaemonsOfEverySampleReadAsFabric8ReadsThem() throws IOException {
    List<Path> samples;
    try (var files = Files.list(Path.of("config/samples"))) {
      samples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(samples).isNotEmpty();
    for (Path sample : samples) {
      NodeDaemon nodeDaemon = eager.unmarshal(Files.readString(sample), NodeDaemon.class);
      NodeDaemon staged =
          StepStatusTest.staged(RolloutPhase.Progressing, 2, StepState.Soaking, 20, 2);
      nodeDaemon.setStatus(staged.getStatus());
      nodeDaemon
          .getStatus()
          .getConditions()
          .add(new Condition("2026-11-30T10:00:00Z", "m", 3L, "R", "True", "Progressing"));
      String json = eager.asJson(nodeDaemon);
      NodeDaemon actual = deferred.unmarshal(json, NodeDaemon.class);
      assertThat(eager.asJson(actual)).as(sample.toString()).isEqualTo(json);
      assertThat(eager.asJson(actual))
          .as(sample.toString())
          .isEqualTo(eager.asJson(eager.unmarshal(json, NodeDaemon.class)));
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in =
        DeferredDeserializersTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
