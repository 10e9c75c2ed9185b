package dev.cairn.backup;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Validation of object names and archive entry paths: relative, {@code /}-separated, no empty,
 * {@code .} or {@code ..} segment, no backslash, no drive letter, no control characters. Every
 * name read from a manifest or an archive goes through here before it touches the file system.
 */
final class SafeNames {

  private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

  private SafeNames() {}

  /**
   * Why {@code name} is not a safe relative name, or {@code null} if it is.
   */
  static String problem(String name) {
    if (name == null) {
      return "name is null";
    }
    if (name.isEmpty()) {
      return "name is empty";
    }
    if (name.length() > 1024) {
      return "name is longer than 1024 characters";
    }
    if (name.indexOf('\\') >= 0) {
      return "name contains a backslash: " + name;
    }
    if (name.startsWith("/")) {
      return "name is absolute: " + name;
    }
    if (DRIVE.matcher(name).matches()) {
      return "name starts with a drive letter: " + name;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "name contains a control character: " + name.replaceAll("\\p{Cntrl}", "?");
      }
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty()) {
        return "name has an empty segment: " + name;
      }
      if (segment.equals(".") || segment.equals("..")) {
        return "name has a '" + segment + "' segment: " + name;
      }
    }
    return null;
  }

  /** Throws {@link IllegalArgumentException} naming {@code what} unless {@code name} is safe. */
  static String check(String name, String what) {
    String p = problem(name);
    if (p != null) {
      throw new IllegalArgumentException(what + ": " + p);
    }
    return name;
  }

  /**
   * Resolves a safe relative name under {@code root} and checks that the result stays inside it
   * (a second line of defence against zip-slip); {@code null} if it would escape.
   */
  static Path resolveInside(Path root, String name) {
    if (problem(name) != null) {
      return null;
    }
    Path base = root.toAbsolutePath().normalize();
    Path p = base.resolve(name).normalize();
    return p.startsWith(base) && !p.equals(base) ? p : null;
  }
}
