package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nodedaemon.build.OperatorImage;
import dev.nodedaemon.testing.Helm;
import dev.nodedaemon.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chart, the OLM bundle's CSV and the documentation name the image the build makes ({@code
 * quarkus.container-image.*}, which {@link OperatorImage} tags the image with): a release that
 * bumps one of them and not the others would install an image nobody built.
 */
class ImageReferenceTest {

  private static final Path PROJECT = LocalCluster.projectDir();
  private static final Path CSV =
      PROJECT.resolve(
          "bundle/nodedaemon-operator/manifests/nodedaemon-operator.clusterserviceversion.yaml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String built = builtImage();

  @Test
  void theChartRunsTheBuiltImage() {
    List<HasMetadata> objects =
        Helm.offline()
            .template(
                Helm.CHART,
                "--show-only",
                "templates/deployment.yaml",
                "--show-only",
                "templates/tests/metrics-test.yaml");
    for (HasMetadata object : objects) {
      var spec =
          object instanceof Deployment d
              ? d.getSpec().getTemplate().getSpec()
              : ((Pod) object).getSpec();
      assertThat(spec.getContainers().getFirst().getImage())
          .as("%s %s", object.getKind(), object.getMetadata().getName())
          .isEqualTo(built);
    }
    assertThat(objects).hasSize(2);
  }

  @Test
  void theCsvNamesTheBuiltImageEverywhere() throws IOException {
    JsonNode csv = YAML.readTree(Files.readString(CSV));
    List<String> images = new ArrayList<>();
    images.add(csv.at("/metadata/annotations/containerImage").asText());
    csv.at("/spec/relatedImages").forEach(image -> images.add(image.get("image").asText()));
    csv.at("/spec/install/spec/deployments")
        .forEach(
            deployment ->
                deployment
                    .at("/spec/template/spec/containers")
                    .forEach(container -> images.add(container.get("image").asText())));
    assertThat(images).hasSize(3).containsOnly(built);
  }

  @Test
  void theDocumentationNamesTheBuiltImage() throws IOException {
    assertThat(Files.readString(PROJECT.resolve("README.md"))).contains(repository(built));
    assertThat(Files.readString(PROJECT.resolve("docs/container-image.md"))).contains(built);
  }

  private static String builtImage() {
    try {
      return OperatorImage.reference(PROJECT.resolve(OperatorImage.APPLICATION_PROPERTIES));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The reference without its tag: the README names {@code repository:<appVersion>}. */
  private static String repository(String reference) {
    return reference.substring(0, reference.lastIndexOf(':'));
  }
}
