package dev.nodedaemon.events;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Where events about a resource go; {@link EventRecorder} writes them to the API server. */
public interface EventSink {

  void normal(HasMetadata object, String reason, String message);

  void warning(HasMetadata object, String reason, String message);
}
