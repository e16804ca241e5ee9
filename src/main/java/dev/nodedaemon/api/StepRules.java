package dev.nodedaemon.api;

/**
 * The CEL rule that rollout steps expose more nodes from one step to the next: counts increase,
 * percentages increase. Written out pair by pair for the first {@link #MAX_STEPS} steps because
 * list macros over int-or-string values exceed the API server's cost budget, while indexed access
 * stays cheap. A count next to a percentage is not compared: which is larger depends on the fleet
 * (the operator then exposes the larger of the two).
 */
final class StepRules {

  private StepRules() {}

  static final int MAX_STEPS = 8;

  static final String INCREASING =
      "!has(self.steps) || ("
          + "(size(self.steps) <= 1 || (type(self.steps[0].nodes) == int && type(self.steps[1].nodes) == int ? self.steps[0].nodes < self.steps[1].nodes : type(self.steps[0].nodes) == string && type(self.steps[1].nodes) == string ? int(self.steps[0].nodes.replace('%', '')) < int(self.steps[1].nodes.replace('%', '')) : true))"
          + " && (size(self.steps) <= 2 || (type(self.steps[1].nodes) == int && type(self.steps[2].nodes) == int ? self.steps[1].nodes < self.steps[2].nodes : type(self.steps[1].nodes) == string && type(self.steps[2].nodes) == string ? int(self.steps[1].nodes.replace('%', '')) < int(self.steps[2].nodes.replace('%', '')) : true))"
          + " && (size(self.steps) <= 3 || (type(self.steps[2].nodes) == int && type(self.steps[3].nodes) == int ? self.steps[2].nodes < self.steps[3].nodes : type(self.steps[2].nodes) == string && type(self.steps[3].nodes) == string ? int(self.steps[2].nodes.replace('%', '')) < int(self.steps[3].nodes.replace('%', '')) : true))"
          + " && (size(self.steps) <= 4 || (type(self.steps[3].nodes) == int && type(self.steps[4].nodes) == int ? self.steps[3].nodes < self.steps[4].nodes : type(self.steps[3].nodes) == string && type(self.steps[4].nodes) == string ? int(self.steps[3].nodes.replace('%', '')) < int(self.steps[4].nodes.replace('%', '')) : true))"
          + " && (size(self.steps) <= 5 || (type(self.steps[4].nodes) == int && type(self.steps[5].nodes) == int ? self.steps[4].nodes < self.steps[5].nodes : type(self.steps[4].nodes) == string && type(self.steps[5].nodes) == string ? int(self.steps[4].nodes.replace('%', '')) < int(self.steps[5].nodes.replace('%', '')) : true))"
          + " && (size(self.steps) <= 6 || (type(self.steps[5].nodes) == int && type(self.steps[6].nodes) == int ? self.steps[5].nodes < self.steps[6].nodes : type(self.steps[5].nodes) == string && type(self.steps[6].nodes) == string ? int(self.steps[5].nodes.replace('%', '')) < int(self.steps[6].nodes.replace('%', '')) : true))"
          + " && (size(self.steps) <= 7 || (type(self.steps[6].nodes) == int && type(self.steps[7].nodes) == int ? self.steps[6].nodes < self.steps[7].nodes : type(self.steps[6].nodes) == string && type(self.steps[7].nodes) == string ? int(self.steps[6].nodes.replace('%', '')) < int(self.steps[7].nodes.replace('%', '')) : true))"
          + ")";

  static final String INCREASING_MESSAGE =
      "steps must expose more nodes from one step to the next: counts increase (1, 5, 20) and"
          + " percentages increase (10%, 50%, 100%)";
}
