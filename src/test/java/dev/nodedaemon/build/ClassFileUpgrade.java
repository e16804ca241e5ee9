package dev.nodedaemon.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites the classes of a jar compiled for Java 5 or older as Java 8 class files (version 52,
 * with the stack map frames ASM computes), so that JDK 25's AOT cache can hold them: the cache
 * skips classes older than version 50, which need the old type-inferring verifier. picocli 4.7 is
 * compiled for Java 5; its ~180 classes otherwise load, verify and link from the jar on every call,
 * which was ~0.2 s of CPU of each plugin call (issue 14). The bytecode is unchanged: only the
 * version and the StackMapTable attributes differ. A class the rewriter cannot frame (none in
 * picocli 4.7.7) keeps its original bytes and simply stays out of the cache.
 */
final class ClassFileUpgrade {

  /** Java 6, the first class file version the split verifier (and so the AOT cache) takes. */
  private static final int JAVA_6 = 50;

  private ClassFileUpgrade() {}

  /** Whether the jar holds any class file older than version 50. */
  static boolean needed(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        if (isClass(entry)) {
          try (InputStream in = zip.getInputStream(entry)) {
            byte[] head = in.readNBytes(8);
            int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            if (major < JAVA_6) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /**
   * Copies {@code source} to {@code target} with every class older than version 50 rewritten;
   * returns how many classes were rewritten. {@code classPath} resolves the class hierarchy that
   * stack map frames need (the jar itself and what it references beyond the JDK).
   */
  static int upgrade(Path source, Path target, List<Path> classPath) throws IOException {
    URL[] urls = new URL[classPath.size()];
    for (int i = 0; i < urls.length; i++) {
      urls[i] = classPath.get(i).toUri().toURL();
    }
    int rewritten = 0;
    try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
        ZipFile zip = new ZipFile(source.toFile());
        OutputStream out = Files.newOutputStream(target);
        ZipOutputStream jar = new ZipOutputStream(out)) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
          bytes = in.readAllBytes();
        }
        if (isClass(entry) && new ClassReader(bytes).readUnsignedShort(6) < JAVA_6) {
          try {
            bytes = toJava8(bytes, loader);
            rewritten++;
          } catch (RuntimeException | LinkageError e) {
            // Left as it was: it loads from the jar as before.
            System.out.println("ClassFileUpgrade: kept " + entry.getName() + " as is: " + e);
          }
        }
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setTime(entry.getTime());
        jar.putNextEntry(copy);
        jar.write(bytes);
        jar.closeEntry();
      }
    }
    return rewritten;
  }

  /** The class as version 52 with frames computed; the instructions are copied as they are. */
  private static byte[] toJava8(byte[] bytes, ClassLoader loader) {
    ClassWriter writer =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
          // Frames merge types at branch joins: their common superclass comes from the jar's
          // class path, not from the build's own class loader.
          @Override
          protected ClassLoader getClassLoader() {
            return loader;
          }
        };
    new ClassReader(bytes)
        .accept(
            new ClassVisitor(Opcodes.ASM9, writer) {
              @Override
              public void visit(
                  int version,
                  int access,
                  String name,
                  String signature,
                  String superName,
                  String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
              }
            },
            ClassReader.SKIP_FRAMES);
    return writer.toByteArray();
  }

  private static boolean isClass(ZipEntry entry) {
    String name = entry.getName();
    // module-info and the multi-release versions are newer than Java 5 already.
    return name.endsWith(".class")
        && !name.startsWith("META-INF/")
        && !name.endsWith("module-info.class");
  }
}
