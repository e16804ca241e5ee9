package dev.nodedaemon.apply;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An RFC 6902 JSON patch, built op by op, for writes that must be preconditioned with "test". */
public final class JsonPatch {

  private final List<Map<String, Object>> ops = new ArrayList<>();

  public JsonPatch test(String path, Object value) {
    return add("test", path, value);
  }

  public JsonPatch replace(String path, Object value) {
    return add("replace", path, value);
  }

  public JsonPatch add(String path, Object value) {
    return add("add", path, value);
  }

  public JsonPatch remove(String path) {
    return add("remove", path, null);
  }

  /** The path of a metadata map entry, such as a label or annotation key with slashes in it. */
  public static String entry(String mapPath, String key) {
    return mapPath + "/" + key.replace("~", "~0").replace("/", "~1");
  }

  public String toJson() {
    return Serialization.asJson(ops);
  }

  private JsonPatch add(String op, String path, Object value) {
    Map<String, Object> operation = new LinkedHashMap<>();
    operation.put("op", op);
    operation.put("path", path);
    if (!"remove".equals(op)) {
      operation.put("value", value);
    }
    ops.add(operation);
    return this;
  }
}
