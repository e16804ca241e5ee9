package dev.nodedaemon.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** picocli's jar as the plugin archive ships it: Java 8 class files that verify and run. */
class ClassFileUpgradeTest {

  @TempDir Path dir;

  @Test
  void picocliIsRewrittenAsJava8ClassFilesThatPassTheVerifierAndRun() throws Exception {
    Path picocli =
        Path.of(
            picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(ClassFileUpgrade.needed(picocli)).as("picocli 4.7 is compiled for Java 5").isTrue();

    Path upgraded = dir.resolve(picocli.getFileName());
    int rewritten = ClassFileUpgrade.upgrade(picocli, upgraded, List.of(picocli));

    assertThat(rewritten).isGreaterThan(200);
    assertThat(ClassFileUpgrade.needed(upgraded)).isFalse();
    List<String> classes = new ArrayList<>();
    try (ZipFile zip = new ZipFile(upgraded.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
          classes.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
          try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
            byte[] head = in.readNBytes(8);
            assertThat(((head[6] & 0xff) << 8) | (head[7] & 0xff)).as(name).isEqualTo(52);
          }
        }
      }
    }
    // Initialising a class links it first, which runs the split verifier on the new stack map
    // frames: a wrong frame is a VerifyError.
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {upgraded.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      for (String name : classes) {
        try {
          Class.forName(name, true, loader);
        } catch (ExceptionInInitializerError e) {
          // A static initialiser that wants more than the jar: linking (verification) has run.
        }
      }
      // And it still parses a command line: an empty command given no arguments.
      Class<?> commandLine = Class.forName("picocli.CommandLine", true, loader);
      Object spec =
          Class.forName("picocli.CommandLine$Model$CommandSpec", true, loader)
              .getMethod("create")
              .invoke(null);
      Object parsed =
          commandLine
              .getMethod("parseArgs", String[].class)
              .invoke(
                  commandLine.getConstructor(Object.class).newInstance(spec),
                  (Object) new String[0]);
      assertThat(parsed.getClass().getName()).isEqualTo("picocli.CommandLine$ParseResult");
    }
  }
}
