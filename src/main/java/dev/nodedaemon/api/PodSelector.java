package dev.nodedaemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * A label selector with the shape of metav1.LabelSelector. NodeDaemon has its own type so the
 * schema can bound its sizes: the API server refuses validation rules whose worst-case cost over
 * unbounded maps and lists is too high.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PodSelector {

  @Size(max = 16)
  @JsonPropertyDescription("Labels a pod must carry, each with exactly this value.")
  private Map<String, String> matchLabels;

  @Size(max = 16)
  @JsonPropertyDescription("Requirements a pod's labels must meet, all of them.")
  private List<SelectorRequirement> matchExpressions;

  public PodSelector() {}

  public PodSelector(Map<String, String> matchLabels) {
    this.matchLabels = matchLabels;
  }

  public Map<String, String> getMatchLabels() {
    return matchLabels;
  }

  public void setMatchLabels(Map<String, String> matchLabels) {
    this.matchLabels = matchLabels;
  }

  public List<SelectorRequirement> getMatchExpressions() {
    return matchExpressions;
  }

  public void setMatchExpressions(List<SelectorRequirement> matchExpressions) {
    this.matchExpressions = matchExpressions;
  }

  /**
   * Whether a pod with these labels is selected, as the API server decides for {@link
   * #toLabelSelector()}: every matchLabels entry and every requirement holds. Used on pods already
   * in the informer cache, where no server-side selection applies.
   */
  public boolean matches(Map<String, String> labels) {
    Map<String, String> present = labels == null ? Map.of() : labels;
    if (matchLabels != null) {
      for (Map.Entry<String, String> required : matchLabels.entrySet()) {
        if (!required.getValue().equals(present.get(required.getKey()))) {
          return false;
        }
      }
    }
    return matchExpressions == null
        || matchExpressions.stream().allMatch(requirement -> requirement.matches(present));
  }

  /** The same query as the client library's type, for list and watch calls. */
  public LabelSelector toLabelSelector() {
    List<LabelSelectorRequirement> requirements =
        matchExpressions == null
            ? List.of()
            : matchExpressions.stream().map(SelectorRequirement::toRequirement).toList();
    return new LabelSelectorBuilder()
        .withMatchLabels(matchLabels == null ? Map.of() : matchLabels)
        .withMatchExpressions(requirements)
        .build();
  }
}
