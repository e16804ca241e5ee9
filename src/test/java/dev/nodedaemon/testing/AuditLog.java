package dev.nodedaemon.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The API server's audit log of a {@link LocalCluster} (policy: hack/lib/audit-policy.yaml): every
 * write, and the reads of service accounts, one JSON event per line.
 */
public final class AuditLog {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  AuditLog(Path file) {
    this.file = file;
  }

  /** One API request, as the API server saw it once it completed. */
  public record Call(
      Instant at,
      String user,
      String userAgent,
      String verb,
      String group,
      String resource,
      String subresource,
      String namespace,
      String name,
      int code) {

    /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
    public String rbacResource() {
      return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    public boolean isWrite() {
      return !List.of("get", "list", "watch").contains(verb);
    }
  }

  /**
   * Requests that match {@code filter}, once each: as completed, or as started for a watch still
   * open.
   */
  public List<Call> calls(Predicate<Call> filter) {
    Map<String, Call> byAuditId = new LinkedHashMap<>();
    try (var lines = Files.lines(file)) {
      for (String line : (Iterable<String>) lines::iterator) {
        JsonNode event = JSON.readTree(line);
        JsonNode ref = event.path("objectRef");
        Call call =
            new Call(
                Instant.parse(event.path("stageTimestamp").asText()),
                event.path("user").path("username").asText(),
                event.path("userAgent").asText(),
                event.path("verb").asText(),
                ref.path("apiGroup").asText(),
                ref.path("resource").asText(),
                ref.path("subresource").asText(),
                ref.path("namespace").asText(),
                ref.path("name").asText(),
                event.path("responseStatus").path("code").asInt());
        byAuditId.put(event.path("auditID").asText(), call);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return byAuditId.values().stream().filter(filter).toList();
  }

  /** The requests of one user, e.g. {@code system:serviceaccount:NS:NAME}. */
  public List<Call> callsBy(String user) {
    return calls(call -> call.user().equals(user));
  }
}
