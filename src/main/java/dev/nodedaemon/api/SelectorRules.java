package dev.nodedaemon.api;

/**
 * CEL expressions the API server evaluates on a NodeDaemonSpec ({@code self}). They mirror the
 * apps/v1 check that a workload's selector matches its own template, so that every pod the
 * NodeDaemon creates is one it also selects.
 *
 * <p>The two halves are separate rules because the API server bounds each rule's estimated cost;
 * together they exceed it.
 */
final class SelectorRules {

  private SelectorRules() {}

  private static final String LABELS = "self.template.metadata.labels";

  private static final String HAS_LABELS =
      "has(self.template.metadata) && has(self.template.metadata.labels)";

  static final String MATCH_LABELS_HOLD =
      "!has(self.selector.matchLabels) || size(self.selector.matchLabels) == 0 || ("
          + HAS_LABELS
          + " && self.selector.matchLabels.all(k, k in "
          + LABELS
          + " && "
          + LABELS
          + "[k] == self.selector.matchLabels[k]))";

  /** One requirement {@code e} holds for the template's labels, operator by operator. */
  private static final String REQUIREMENT_HOLDS =
      "e.operator == 'In' ? ("
          + HAS_LABELS
          + " && e.key in "
          + LABELS
          + " && has(e.values) && "
          + LABELS
          + "[e.key] in e.values)"
          + " : e.operator == 'NotIn' ? (!("
          + HAS_LABELS
          + ") || !(e.key in "
          + LABELS
          + ") || !has(e.values) || !("
          + LABELS
          + "[e.key] in e.values))"
          + " : e.operator == 'Exists' ? ("
          + HAS_LABELS
          + " && e.key in "
          + LABELS
          + ")"
          + " : (!("
          + HAS_LABELS
          + ") || !(e.key in "
          + LABELS
          + "))";

  static final String MATCH_EXPRESSIONS_HOLD =
      "!has(self.selector.matchExpressions) || self.selector.matchExpressions.all(e, "
          + REQUIREMENT_HOLDS
          + ")";
}
