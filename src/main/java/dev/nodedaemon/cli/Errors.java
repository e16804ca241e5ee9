package dev.nodedaemon.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;

/** One line for an unexpected failure, in the words kubectl would use. */
final class Errors {

  private Errors() {}

  static final String FROM_SERVER = "Error from server";

  /**
   * kubectl's words for a server that refuses the connection, given the server's URL; empty for any
   * other failure.
   */
  static java.util.Optional<String> refused(Throwable e, String serverUrl) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    if (!(e instanceof KubernetesClientException) || !(cause instanceof ConnectException)) {
      return java.util.Optional.empty();
    }
    String server = serverUrl.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
    return java.util.Optional.of(
        "The connection to the server "
            + server
            + " was refused - did you specify the right host or port?");
  }

  static String describe(Throwable e) {
    if (e instanceof KubernetesClientException k) {
      if (k.getStatus() != null && k.getStatus().getMessage() != null) {
        String reason = k.getStatus().getReason();
        return FROM_SERVER
            + (reason == null ? "" : " (" + reason + ")")
            + ": "
            + k.getStatus().getMessage();
      }
      Throwable cause = k.getCause();
      while (cause != null && cause.getCause() != null) {
        cause = cause.getCause();
      }
      return "cannot reach the API server: "
          + (cause == null
              ? k.getMessage()
              : cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
