package dev.nodedaemon.build;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.nodedaemon.api.NodeDaemon;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Build step (run by exec-maven-plugin before packaging): writes the NodeDaemon CRD generated from
 * the Java model into the classes directory, so it ships in the jar, and copies the file unchanged
 * into each further directory given (the Helm chart's {@code files/crds/}). HelmChartTest fails
 * when the chart's copy differs from the generated file.
 *
 * <p>It is fabric8's generator with two fixes:
 *
 * <ul>
 *   <li>the generator sorts printer columns by JSON path, but kubectl prints them in CRD order, so
 *       they are put back in the order the model declares them (DESIRED CURRENT READY UP-TO-DATE
 *       AVAILABLE AGE, as for a DaemonSet);
 *   <li>the generator drops {@code @Min} and {@code @Pattern} from int-or-string fields; they are
 *       applied from the model's annotations (a step's {@code nodes}: the API server checks {@code
 *       minimum} on integers and {@code pattern} on strings, at no CEL cost).
 * </ul>
 *
 * <p>and three additions below {@code spec.template}, where the generator knows only types:
 *
 * <ul>
 *   <li>containers and init containers are list maps keyed by name (server-side apply merges them
 *       by name), and need a name and an image;
 *   <li>what the API server checks of a pod and a schema can say at no CEL cost is said there, so
 *       {@code kubectl apply} refuses it instead of the operator finding out when it creates a pod:
 *       container names are DNS labels, ports are in range, protocols and pull policies are one of
 *       Kubernetes' values;
 *   <li>the field descriptions of Kubernetes' own pod template, three levels deep, from {@code
 *       build/pod-template-descriptions.json} (written by {@code hack/pod-template-descriptions}),
 *       so {@code kubectl explain} works below the template.
 * </ul>
 */
public final class CrdWriter {

  private CrdWriter() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      throw new IllegalArgumentException(
          "usage: CrdWriter <output directory> [<directory to copy the CRD files to>...]");
    }
    File outputDir = new File(args[0]);
    if (!outputDir.isDirectory() && !outputDir.mkdirs()) {
      throw new IllegalStateException("cannot create " + outputDir);
    }
    int written =
        new CRDGenerator()
            .inOutputDir(outputDir)
            .forCRDVersions("v1")
            .withParallelGenerationEnabled(false)
            .withPostProcessor(new AllFixes())
            .customResourceClasses(NodeDaemon.class)
            .generate();
    System.out.printf("CrdWriter: wrote %d CRD(s) to %s%n", written, outputDir);
    for (String copyDir : Arrays.asList(args).subList(1, args.length)) {
      copyCrds(outputDir.toPath(), Path.of(copyDir));
    }
  }

  private static void copyCrds(Path from, Path to) {
    try (var files = Files.list(from)) {
      Files.createDirectories(to);
      for (Path crd : files.filter(f -> f.getFileName().toString().endsWith("-v1.yml")).toList()) {
        Files.copy(crd, to.resolve(crd.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("CrdWriter: copied %s to %s%n", crd.getFileName(), to);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fixes in order; the generator keeps one post-processor (a second replaces the first). */
  private static final class AllFixes implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      HasMetadata fixed = crd;
      for (CRDPostProcessor fix :
          List.of(
              new DeclaredColumnOrder(),
              new IntOrStringBounds(),
              new ContainersByName(),
              new TemplateDescriptions())) {
        fixed = fix.process(fixed, crdSpecVersion);
      }
      return fixed;
    }
  }

  private static final class IntOrStringBounds implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      java.lang.reflect.Field field;
      try {
        field = dev.nodedaemon.api.RolloutStep.class.getDeclaredField("nodes");
      } catch (NoSuchFieldException e) {
        throw new IllegalStateException(e);
      }
      for (var version : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
        var nodes =
            version
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("spec")
                .getProperties()
                .get("updateStrategy")
                .getProperties()
                .get("rollingUpdate")
                .getProperties()
                .get("steps")
                .getItems()
                .getSchema()
                .getProperties()
                .get("nodes");
        var min = field.getAnnotation(io.fabric8.generator.annotation.Min.class);
        var pattern = field.getAnnotation(io.fabric8.generator.annotation.Pattern.class);
        nodes.setMinimum(min == null ? null : min.value());
        nodes.setPattern(pattern == null ? null : pattern.value());
      }
      return crd;
    }
  }

  private static final class ContainersByName implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      for (var version : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
        var podSpec =
            version
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("spec")
                .getProperties()
                .get("template")
                .getProperties()
                .get("spec");
        for (String list : List.of("containers", "initContainers")) {
          var containers = podSpec.getProperties().get(list);
          containers.setXKubernetesListType("map");
          containers.setXKubernetesListMapKeys(List.of("name"));
          var container = containers.getItems().getSchema();
          container.setRequired(List.of("image", "name"));
          // As the API server validates a container (a DNS-1123 label; IsValidPortNum; the enums).
          var name = container.getProperties().get("name");
          name.setMaxLength(63L);
          name.setPattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
          container
              .getProperties()
              .get("imagePullPolicy")
              .setEnum(enumOf("Always", "IfNotPresent", "Never"));
          var port = container.getProperties().get("ports").getItems().getSchema();
          port.getProperties().get("containerPort").setMinimum(1.0);
          port.getProperties().get("containerPort").setMaximum(65535.0);
          port.getProperties().get("hostPort").setMinimum(0.0);
          port.getProperties().get("hostPort").setMaximum(65535.0);
          port.getProperties().get("protocol").setEnum(enumOf("TCP", "UDP", "SCTP"));
        }
        podSpec
            .getProperties()
            .get("dnsPolicy")
            .setEnum(enumOf("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"));
      }
      return crd;
    }
  }

  private static List<com.fasterxml.jackson.databind.JsonNode> enumOf(String... values) {
    return Arrays.stream(values)
        .map(v -> (com.fasterxml.jackson.databind.JsonNode) new TextNode(v))
        .toList();
  }

  private static final class TemplateDescriptions implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      Map<String, String> descriptions = descriptions();
      for (var version : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
        var template =
            version
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("spec")
                .getProperties()
                .get("template");
        describe(template, "", descriptions);
      }
      return crd;
    }

    /** Sets the description of each property below {@code schema} found under its path. */
    private static void describe(JSONSchemaProps schema, String prefix, Map<String, String> all) {
      if (schema.getProperties() == null) {
        return;
      }
      schema
          .getProperties()
          .forEach(
              (field, property) -> {
                String path = prefix + field;
                String description = all.get(path);
                if (description != null && property.getDescription() == null) {
                  property.setDescription(description);
                }
                describe(property, path + ".", all);
                if (property.getItems() != null && property.getItems().getSchema() != null) {
                  describe(property.getItems().getSchema(), path + "[].", all);
                }
                if (property.getAdditionalProperties() != null
                    && property.getAdditionalProperties().getSchema() != null) {
                  describe(property.getAdditionalProperties().getSchema(), path + "{}.", all);
                }
              });
    }

    private static Map<String, String> descriptions() {
      try (var in = CrdWriter.class.getResourceAsStream("/build/pod-template-descriptions.json")) {
        if (in == null) {
          throw new IllegalStateException("build/pod-template-descriptions.json is missing");
        }
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        Map<String, String> descriptions = new java.util.TreeMap<>();
        tree.path("descriptions")
            .fields()
            .forEachRemaining(e -> descriptions.put(e.getKey(), e.getValue().asText()));
        return descriptions;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static final class DeclaredColumnOrder implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      List<String> declared =
          Arrays.stream(NodeDaemon.class.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::name)
              .toList();
      Comparator<CustomResourceColumnDefinition> byDeclaration =
          Comparator.comparingInt(column -> declared.indexOf(column.getName()));
      ((CustomResourceDefinition) crd)
          .getSpec()
          .getVersions()
          .forEach(version -> version.getAdditionalPrinterColumns().sort(byDeclaration));
      return crd;
    }
  }
}
