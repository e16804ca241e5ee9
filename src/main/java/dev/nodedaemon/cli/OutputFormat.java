package dev.nodedaemon.cli;

/** {@code -o}: human tables by default; json and yaml for scripts; wide adds columns. */
enum OutputFormat {
  json,
  yaml,
  wide;

  boolean machine() {
    return this == json || this == yaml;
  }
}
