package dev.nodedaemon.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.build.ApiReference;
import dev.nodedaemon.testing.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/api-reference.md is what {@link ApiReference} renders from the generated CRD, and every
 * field of NodeDaemon's own types has a description (from the API classes).
 */
class ApiReferenceTest {

  private static final Path PROJECT = LocalCluster.projectDir();
  private static final Path CRD =
      PROJECT.resolve("helm/nodedaemon/files/crds/nodedaemons.nodedaemon.dev-v1.yml");
  private static final Path REFERENCE = PROJECT.resolve("docs/api-reference.md");

  @Test
  void committedReferenceIsTheOneRenderedFromTheCrd() throws IOException {
    String rendered = ApiReference.render(Files.readString(CRD));
    assertThat(Files.readString(REFERENCE))
        .as(
            "%s is stale (the CRD changed): regenerate it with `%s` and commit it",
            REFERENCE, ApiReference.COMMAND)
        .isEqualTo(rendered);
  }

  @Test
  void everyFieldOfNodeDaemonsOwnTypesIsDescribed() throws IOException {
    assertThat(ApiReference.undocumented(Files.readString(CRD)))
        .as("fields without a description: add @JsonPropertyDescription in dev.nodedaemon.api")
        .isEmpty();
  }

  @Test
  void referenceShowsFieldsTypesAndTheServersChecks() throws IOException {
    String rendered = ApiReference.render(Files.readString(CRD));
    assertThat(rendered)
        .contains("## `.spec.updateStrategy.rollingUpdate`")
        .contains("| `maxUnavailable` | integer or string |")
        .contains("| `template` | [PodTemplateSpec](")
        .contains("| `steps` | [[]object](#specupdatestrategyrollingupdatesteps) |")
        .contains("## `.spec.updateStrategy.rollingUpdate.steps[]`")
        .contains("## `.status.rollout`");
  }
}
