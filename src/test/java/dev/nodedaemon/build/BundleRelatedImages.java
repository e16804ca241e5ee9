package dev.nodedaemon.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Build step (run by exec-maven-plugin after quarkus:build writes the OLM bundle): gives the CSV
 * the {@code spec.relatedImages} that quarkus-operator-sdk's bundle generator (7.2.x) does not
 * write. OLM and disconnected-cluster mirroring (oc adm catalog mirror, oc-mirror) read that list
 * to know which images to copy; OperatorHub expects every image the operator runs in it.
 *
 * <p>The list is the images of the install strategy's Deployments: each container's image (named
 * after the container) and each {@code RELATED_IMAGE_*} environment value (named after the rest of
 * the variable's name, lower case), OLM's convention for images the operator starts itself. The
 * generator's text is kept as it is; the list is inserted at the top of {@code spec}.
 */
public final class BundleRelatedImages {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String RELATED_IMAGE = "RELATED_IMAGE_";

  private BundleRelatedImages() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: BundleRelatedImages <CSV file>");
    }
    Path csv = Path.of(args[0]);
    try {
      String text = Files.readString(csv);
      Files.writeString(csv, withRelatedImages(text));
      System.out.printf("BundleRelatedImages: %s names %s%n", csv, relatedImages(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The CSV text with {@code spec.relatedImages} written in (or rewritten). */
  public static String withRelatedImages(String csvText) throws IOException {
    Map<String, String> images = relatedImages(csvText);
    if (images.isEmpty()) {
      throw new IllegalStateException("the CSV's install strategy names no image");
    }
    if (YAML.readTree(csvText).at("/spec/relatedImages").isArray()) {
      return csvText;
    }
    StringBuilder list = new StringBuilder("spec:\n  relatedImages:\n");
    images.forEach(
        (name, image) ->
            list.append("  - name: ")
                .append(name)
                .append("\n    image: ")
                .append(image)
                .append('\n'));
    if (!csvText.contains("\nspec:\n")) {
      throw new IllegalStateException("the CSV has no top-level spec");
    }
    return csvText.replaceFirst(
        "\nspec:\n", "\n" + java.util.regex.Matcher.quoteReplacement(list.toString()));
  }

  /** Name to image, in the order the Deployments list them, without duplicates. */
  public static Map<String, String> relatedImages(String csvText) throws IOException {
    Map<String, String> images = new LinkedHashMap<>();
    for (JsonNode deployment : YAML.readTree(csvText).at("/spec/install/spec/deployments")) {
      for (JsonNode container : deployment.at("/spec/template/spec/containers")) {
        addIfNew(images, container.get("name").asText(), container.get("image").asText());
        for (JsonNode env : container.path("env")) {
          String name = env.get("name").asText();
          if (name.startsWith(RELATED_IMAGE) && env.hasNonNull("value")) {
            addIfNew(
                images,
                name.substring(RELATED_IMAGE.length()).toLowerCase().replace('_', '-'),
                env.get("value").asText());
          }
        }
      }
    }
    return images;
  }

  private static void addIfNew(Map<String, String> images, String name, String image) {
    if (!images.containsValue(image)) {
      images.put(name, image);
    }
  }
}
