package dev.nodedaemon.events;

import dev.nodedaemon.plan.PodPlan.PlannedEvent;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** Where events about a resource go; {@link EventRecorder} writes them to the API server. */
public interface EventSink {

  void normal(HasMetadata object, String reason, String message);

  void warning(HasMetadata object, String reason, String message);

  /** Records the events a plan or an assessment decided on, in order. */
  default void record(HasMetadata object, List<PlannedEvent> planned) {
    for (PlannedEvent event : planned) {
      if (event.warning()) {
        warning(object, event.reason(), event.message());
      } else {
        normal(object, event.reason(), event.message());
      }
    }
  }
}
