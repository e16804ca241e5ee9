package dev.nodedaemon.placement;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The tolerations every daemon pod gets, as the built-in DaemonSet controller adds them: a node
 * agent must keep running on a node that is not ready, unreachable, under pressure or cordoned.
 */
public final class DaemonTolerations {

  private DaemonTolerations() {}

  public static final String NOT_READY = "node.kubernetes.io/not-ready";
  public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  public static final String DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
  public static final String MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
  public static final String PID_PRESSURE = "node.kubernetes.io/pid-pressure";
  public static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
  public static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

  /** The template's tolerations plus the defaults it does not already have. */
  public static List<Toleration> withDefaults(PodSpec spec) {
    List<Toleration> result =
        new ArrayList<>(spec.getTolerations() == null ? List.of() : spec.getTolerations());
    addIfMissing(result, NOT_READY, "NoExecute");
    addIfMissing(result, UNREACHABLE, "NoExecute");
    addIfMissing(result, DISK_PRESSURE, "NoSchedule");
    addIfMissing(result, MEMORY_PRESSURE, "NoSchedule");
    addIfMissing(result, PID_PRESSURE, "NoSchedule");
    addIfMissing(result, UNSCHEDULABLE, "NoSchedule");
    if (Boolean.TRUE.equals(spec.getHostNetwork())) {
      addIfMissing(result, NETWORK_UNAVAILABLE, "NoSchedule");
    }
    return result;
  }

  private static void addIfMissing(List<Toleration> tolerations, String key, String effect) {
    boolean present =
        tolerations.stream()
            .anyMatch(
                t ->
                    key.equals(t.getKey())
                        && "Exists".equals(t.getOperator())
                        && effect.equals(t.getEffect()));
    if (!present) {
      tolerations.add(
          new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build());
    }
  }
}
