package dev.cairn.backup;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the hash of every file of a set, of every snapshot file and of every blob, and the
 * lowercase hex form in which manifests, messages and spooled blob files name a hash.
 */
final class Sha256 {

  private static final HexFormat HEX = HexFormat.of();

  private Sha256() {}

  /** A new SHA-256 digest. */
  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The SHA-256 of {@code bytes}. */
  static byte[] of(byte[] bytes) {
    return newDigest().digest(bytes);
  }

  /** A hash as lowercase hex. */
  static String hex(byte[] hash) {
    return HEX.formatHex(hash);
  }

  /** A hash wrapped in a buffer (a set member) as lowercase hex. */
  static String hex(ByteBuffer hash) {
    return HEX.formatHex(hash.array(), hash.arrayOffset(), hash.arrayOffset() + hash.capacity());
  }
}
