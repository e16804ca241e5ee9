package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** One requirement of a {@link PodSelector}, as metav1.LabelSelectorRequirement. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(
    value =
        "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0)"
            + " : (!has(self.values) || size(self.values) == 0)",
    message = "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist")
public class SelectorRequirement {

  @Required
  @Size(max = 317)
  private String key;

  @Required
  @JsonPropertyDescription("One of In, NotIn, Exists, DoesNotExist.")
  @ValidationRule(
      value = "self in ['In', 'NotIn', 'Exists', 'DoesNotExist']",
      message = "operator must be one of In, NotIn, Exists, DoesNotExist")
  private String operator;

  @Size(max = 32)
  private List<String> values;

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public String getOperator() {
    return operator;
  }

  public void setOperator(String operator) {
    this.operator = operator;
  }

  public List<String> getValues() {
    return values;
  }

  public void setValues(List<String> values) {
    this.values = values;
  }

  /** Whether labels meet this requirement, as metav1's selector semantics say. */
  boolean matches(Map<String, String> labels) {
    List<String> allowed = values == null ? List.of() : values;
    return switch (operator) {
      case "In" -> labels.containsKey(key) && allowed.contains(labels.get(key));
      case "NotIn" -> !labels.containsKey(key) || !allowed.contains(labels.get(key));
      case "Exists" -> labels.containsKey(key);
      case "DoesNotExist" -> !labels.containsKey(key);
      default -> false; // refused by the CRD's validation rule; selects nothing if it got through
    };
  }

  LabelSelectorRequirement toRequirement() {
    return new LabelSelectorRequirement(key, operator, values == null ? List.of() : values);
  }
}
