package dev.nodedaemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link PodSelector#matches} against the API server's selector semantics, one row per case. */
class PodSelectorTest {

  private static final Map<String, String> LABELS = Map.of("app", "agent", "tier", "node");

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource({
    // key, operator, values (|-separated), selects a pod labelled app=agent,tier=node
    "app, In, agent|other, true",
    "app, In, other, false",
    "zone, In, a, false",
    "app, NotIn, other, true",
    "app, NotIn, agent, false",
    "zone, NotIn, a, true",
    "app, Exists, , true",
    "zone, Exists, , false",
    "zone, DoesNotExist, , true",
    "app, DoesNotExist, , false",
  })
  void oneRequirement(String key, String operator, String values, boolean selects) {
    SelectorRequirement requirement = new SelectorRequirement();
    requirement.setKey(key);
    requirement.setOperator(operator);
    requirement.setValues(values == null ? null : List.of(values.split("\\|")));
    PodSelector selector = new PodSelector();
    selector.setMatchExpressions(List.of(requirement));

    assertThat(selector.matches(LABELS)).isEqualTo(selects);
  }

  @ParameterizedTest(name = "matchLabels {0} -> {1}")
  @CsvSource({"app=agent, true", "app=other, false", "zone=a, false", "app=agent|tier=node, true"})
  void matchLabels(String pairs, boolean selects) {
    Map<String, String> required = new java.util.HashMap<>();
    for (String pair : pairs.split("\\|")) {
      required.put(pair.split("=")[0], pair.split("=")[1]);
    }
    assertThat(new PodSelector(required).matches(LABELS)).isEqualTo(selects);
  }

  @org.junit.jupiter.api.Test
  void allOfLabelsAndRequirementsMustHold() {
    SelectorRequirement notNode = new SelectorRequirement();
    notNode.setKey("tier");
    notNode.setOperator("NotIn");
    notNode.setValues(List.of("node"));
    PodSelector selector = new PodSelector(Map.of("app", "agent"));
    selector.setMatchExpressions(List.of(notNode));

    assertThat(selector.matches(LABELS)).isFalse();
    assertThat(selector.matches(null)).isFalse();
    assertThat(new PodSelector().matches(null)).isTrue();
  }
}
