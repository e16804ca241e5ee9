package dev.nodedaemon.revision;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;

/**
 * The hash that names a pod template's revision and labels its pods ({@code
 * controller-revision-hash}), computed like the built-in controller's: FNV-1a 32 over the
 * template's JSON, salted with the collision count, written in the alphabet Kubernetes uses for
 * generated names (no vowels, so no words).
 */
public final class TemplateHash {

  private TemplateHash() {}

  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  public static String of(PodTemplateSpec template, int collisionCount) {
    byte[] json = Serialization.asJson(template).getBytes(StandardCharsets.UTF_8);
    int hash = 0x811c9dc5;
    for (byte b : json) {
      hash ^= (b & 0xff);
      hash *= 0x01000193;
    }
    if (collisionCount > 0) {
      for (byte b : Integer.toString(collisionCount).getBytes(StandardCharsets.UTF_8)) {
        hash ^= (b & 0xff);
        hash *= 0x01000193;
      }
    }
    return encode(Integer.toUnsignedLong(hash));
  }

  private static String encode(long value) {
    StringBuilder out = new StringBuilder();
    do {
      out.append(ALPHABET.charAt((int) (value % ALPHABET.length())));
      value /= ALPHABET.length();
    } while (value > 0);
    return out.toString();
  }
}
