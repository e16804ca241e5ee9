package dev.nodedaemon.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Build step (after quarkus:build and the copy of {@code src/main/olm/} into the bundle): makes the
 * bundle's scorecard configuration findable, as {@code operator-sdk generate bundle} does and
 * quarkus-operator-sdk's generator does not. The bundle's {@code metadata/annotations.yaml} and its
 * Dockerfile's labels name the test config ({@code tests/scorecard/}, media type {@code
 * scorecard+v1}), and the Dockerfile copies it into the bundle image; {@code operator-sdk
 * scorecard} reads those from a bundle image.
 */
public final class BundleScorecard {

  static final String MEDIATYPE_KEY = "operators.operatorframework.io.test.mediatype.v1";
  static final String CONFIG_KEY = "operators.operatorframework.io.test.config.v1";
  private static final String MEDIATYPE = "scorecard+v1";
  private static final String CONFIG = "tests/scorecard/";

  private BundleScorecard() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: BundleScorecard <bundle directory>");
    }
    Path bundle = Path.of(args[0]);
    if (!Files.isRegularFile(bundle.resolve(CONFIG).resolve("config.yaml"))) {
      throw new IllegalStateException("no " + CONFIG + "config.yaml in " + bundle);
    }
    try {
      Path annotations = bundle.resolve("metadata/annotations.yaml");
      Files.writeString(annotations, withAnnotations(Files.readString(annotations)));
      Path dockerfile = bundle.resolve("bundle.Dockerfile");
      Files.writeString(dockerfile, withDockerfileLines(Files.readString(dockerfile)));
      System.out.printf("BundleScorecard: %s names %s%n", bundle, CONFIG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** annotations.yaml (a map under {@code annotations:}, two-space indent) with the test keys. */
  static String withAnnotations(String annotations) {
    if (annotations.contains(CONFIG_KEY)) {
      return annotations;
    }
    if (!annotations.startsWith("annotations:\n")) {
      throw new IllegalStateException("unexpected annotations.yaml:\n" + annotations);
    }
    String body = annotations.endsWith("\n") ? annotations : annotations + "\n";
    return body
        + "  # Annotations for testing (operator-sdk scorecard).\n"
        + "  "
        + MEDIATYPE_KEY
        + ": "
        + MEDIATYPE
        + "\n  "
        + CONFIG_KEY
        + ": "
        + CONFIG
        + "\n";
  }

  /** The bundle Dockerfile with the test labels and the copy of the scorecard config. */
  static String withDockerfileLines(String dockerfile) {
    if (dockerfile.contains(CONFIG_KEY)) {
      return dockerfile;
    }
    String copyMetadata = "COPY metadata /metadata/\n";
    String coreLabels = "\n# Copy files to locations specified by labels.\n";
    if (!dockerfile.contains(copyMetadata) || !dockerfile.contains(coreLabels)) {
      throw new IllegalStateException("unexpected bundle.Dockerfile:\n" + dockerfile);
    }
    return dockerfile
        .replace(
            coreLabels,
            "\n# Labels for testing (operator-sdk scorecard).\n"
                + "LABEL "
                + MEDIATYPE_KEY
                + "="
                + MEDIATYPE
                + "\nLABEL "
                + CONFIG_KEY
                + "="
                + CONFIG
                + "\n"
                + coreLabels)
        .replace(copyMetadata, copyMetadata + "COPY tests/scorecard /tests/scorecard/\n");
  }
}
