package dev.nodedaemon.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The fault matrix's figures per fault and NodeDaemon, and the Markdown table of them. */
final class FaultMatrixReport {

  private FaultMatrixReport() {}

  /** The worst a rollout did while its fault was on, as one NodeDaemon's checker saw it. */
  record Figures(
      int peakWithoutReady,
      int peakPerNode,
      int peakSurging,
      int deleted,
      int unplannedDeletes,
      int revisionsLost,
      Duration worstLag,
      int relists,
      List<String> violations) {

    boolean clean() {
      return violations.isEmpty() && unplannedDeletes == 0 && revisionsLost == 0;
    }
  }

  record Outcome(
      String fault,
      boolean completed,
      Duration took,
      String evidence,
      long injected,
      Map<String, Figures> figures,
      String diagnosis) {

    /** Complete, every invariant kept, and the fault really happened. */
    boolean passed() {
      return completed && injected > 0 && figures.values().stream().allMatch(Figures::clean);
    }

    String outcome() {
      if (injected == 0) {
        return "FAULT NOT INJECTED";
      }
      return passed() ? "complete" : completed ? "complete, INVARIANT BROKEN" : "NOT COMPLETE";
    }

    String row() {
      return fault
          + " -> "
          + outcome()
          + " in "
          + seconds(took)
          + "; "
          + evidence
          + ": "
          + injected
          + "; "
          + figures;
    }
  }

  /**
   * The table: one row per fault, the figures of both NodeDaemons, then the first violations and,
   * for a rollout that did not complete, what the operator was doing (CI keeps no operator log).
   */
  static String table(String title, int budget, List<Outcome> outcomes) {
    StringBuilder out = new StringBuilder();
    out.append(title).append("\n\n");
    out.append(
        "| fault | outcome | took | fault evidence | unavail: peak nodes without ready pod (budget "
            + budget
            + ") / peak pods per node | surge: peak nodes without ready pod (budget 0) /"
            + " peak surging nodes (max "
            + budget
            + ") / peak pods per node | pods deleted (unplanned) | revisions lost | invariant"
            + " violations | checker's worst watch lag (relists) |\n");
    out.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Outcome o : outcomes) {
      Figures u = o.figures().get("unavail");
      Figures s = o.figures().get("surge");
      out.append("| ")
          .append(o.fault())
          .append(" | ")
          .append(o.outcome())
          .append(" | ")
          .append(seconds(o.took()))
          .append(" | ")
          .append(o.evidence())
          .append(": ")
          .append(o.injected())
          .append(" | ")
          .append(u.peakWithoutReady())
          .append(" / ")
          .append(u.peakPerNode())
          .append(" | ")
          .append(s.peakWithoutReady())
          .append(" / ")
          .append(s.peakSurging())
          .append(" / ")
          .append(s.peakPerNode())
          .append(" | ")
          .append(u.deleted() + s.deleted())
          .append(" (")
          .append(u.unplannedDeletes() + s.unplannedDeletes())
          .append(") | ")
          .append(u.revisionsLost() + s.revisionsLost())
          .append(" | ")
          .append(u.violations().size() + s.violations().size())
          .append(" | ")
          .append(seconds(max(u.worstLag(), s.worstLag())))
          .append(" (")
          .append(u.relists() + s.relists())
          .append(") |\n");
    }
    for (Outcome o : outcomes) {
      for (Map.Entry<String, Figures> f : o.figures().entrySet()) {
        f.getValue().violations().stream()
            .limit(5)
            .forEach(
                v ->
                    out.append("\n- ")
                        .append(o.fault())
                        .append(", ")
                        .append(f.getKey())
                        .append(": ")
                        .append(v));
      }
    }
    for (Outcome o : outcomes) {
      if (!o.diagnosis().isEmpty()) {
        out.append("\n\n").append(o.fault()).append(", not complete:\n").append(o.diagnosis());
      }
    }
    return out.toString();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }
}
