package dev.nodedaemon.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nodedaemon.revision.RevisionPlanner;
import java.util.Map;

/**
 * The patches the plugin sends. Merge patches (RFC 7386) name only the fields a command changes,
 * and JSON patches (RFC 6902) {@code test} the values they rely on; neither carries a
 * resourceVersion, so the operator's concurrent status writes never make them conflict.
 */
final class Patches {

  private Patches() {}

  static final String RESTARTED_AT = "nodedaemon.dev/restartedAt";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** A merge patch builder: {@code spec()} and {@code changeCause()} fill the usual places. */
  static final class Merge {
    private final ObjectNode root = JSON.objectNode();

    ObjectNode spec() {
      return root.withObjectProperty("spec");
    }

    ObjectNode rollingUpdate() {
      return spec().withObjectProperty("updateStrategy").withObjectProperty("rollingUpdate");
    }

    /** Sets the NodeDaemon's change cause, or removes it when {@code cause} is null. */
    Merge changeCause(String cause) {
      ObjectNode annotations =
          root.withObjectProperty("metadata").withObjectProperty("annotations");
      if (cause == null) {
        annotations.putNull(RevisionPlanner.CHANGE_CAUSE);
      } else {
        annotations.put(RevisionPlanner.CHANGE_CAUSE, cause);
      }
      return this;
    }

    Merge rollbackTo(long revision) {
      spec().withObjectProperty("rollbackTo").put("revision", revision);
      return this;
    }

    Merge paused(boolean paused) {
      spec().put("paused", paused);
      return this;
    }

    /** spec.promote {fromStep: N}, replacing a pending {full: true}. */
    Merge promoteFrom(int step) {
      ObjectNode promote = spec().withObjectProperty("promote");
      promote.put("fromStep", step);
      promote.putNull("full");
      return this;
    }

    /** spec.promote {full: true}, replacing a pending {fromStep: N}. */
    Merge promoteFull() {
      ObjectNode promote = spec().withObjectProperty("promote");
      promote.put("full", true);
      promote.putNull("fromStep");
      return this;
    }

    /** Removes a pending spec.promote. */
    Merge noPromote() {
      spec().putNull("promote");
      return this;
    }

    Merge retry() {
      spec().put("retry", true);
      return this;
    }

    /** spec.frozen true, or removed (null) when unfrozen. */
    Merge frozen(boolean frozen) {
      if (frozen) {
        spec().put("frozen", true);
      } else {
        spec().putNull("frozen");
      }
      return this;
    }

    Merge partitionZero() {
      rollingUpdate().put("partition", 0);
      return this;
    }

    Merge removeUpdateNodeSelector() {
      rollingUpdate().putNull("nodeSelector");
      return this;
    }

    Merge templateAnnotation(String key, String value) {
      spec()
          .withObjectProperty("template")
          .withObjectProperty("metadata")
          .withObjectProperty("annotations")
          .put(key, value);
      return this;
    }

    String json() {
      return root.toString();
    }
  }

  static Merge merge() {
    return new Merge();
  }

  /**
   * A JSON patch that sets container images by index, each after a {@code test} that the index
   * still holds the container of that name (a concurrent edit that reorders containers makes the
   * patch fail instead of changing the wrong one), and sets the change cause.
   *
   * @param images container path ({@code containers/0}, {@code initContainers/1}) to [name, image]
   */
  static String setImages(Map<String, String[]> images, String cause, boolean annotationsExist) {
    ArrayNode ops = JSON.arrayNode();
    images.forEach(
        (path, nameAndImage) -> {
          ops.addObject()
              .put("op", "test")
              .put("path", "/spec/template/spec/" + path + "/name")
              .put("value", nameAndImage[0]);
          ops.addObject()
              .put("op", "replace")
              .put("path", "/spec/template/spec/" + path + "/image")
              .put("value", nameAndImage[1]);
        });
    if (cause != null) {
      if (annotationsExist) {
        ops.addObject()
            .put("op", "add")
            .put("path", "/metadata/annotations/" + escape(RevisionPlanner.CHANGE_CAUSE))
            .put("value", cause);
      } else {
        ops.addObject()
            .put("op", "add")
            .put("path", "/metadata/annotations")
            .set("value", JSON.objectNode().put(RevisionPlanner.CHANGE_CAUSE, cause));
      }
    }
    return ops.toString();
  }

  /** A JSON pointer token: {@code ~} and {@code /} escaped (RFC 6901). */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
