package dev.nodedaemon.build;

import dev.nodedaemon.api.NodeDaemon;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step (run by exec-maven-plugin before packaging): writes the NodeDaemon CRD generated from
 * the Java model into the classes directory, so it ships in the jar, and copies the file unchanged
 * into each further directory given (the Helm chart's {@code files/crds/}). HelmChartTest fails
 * when the chart's copy differs from the generated file.
 *
 * <p>It is fabric8's generator with one fix: the generator sorts printer columns by JSON path, but
 * kubectl prints them in CRD order, so they are put back in the order the model declares them
 * (DESIRED CURRENT READY UP-TO-DATE AVAILABLE AGE, as for a DaemonSet).
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
            .withPostProcessor(new DeclaredColumnOrder())
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
