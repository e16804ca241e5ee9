package dev.nodedaemon.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** One line for an unexpected failure, in the words kubectl would use. */
final class Errors {

  private Errors() {}

  static final String FROM_SERVER = "Error from server";

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
