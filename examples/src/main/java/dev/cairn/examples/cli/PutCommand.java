package dev.cairn.examples.cli;

import dev.cairn.storage.RecordMetadata;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "put", description = {
    "Store a value under COLLECTION KEY (creates the store if absent).",
    "The value is the VALUE argument, the contents of --file, or stdin with '-'.",
    "Bytes are stored as given.",
    "With --if-absent or --if-version N the value is stored only if the key is absent, or its",
    "record is at version N (from 'get --meta'); exit code 5 if it is not.",
    "With --ttl the record expires that long after the write (30s, 5m, 2h, 1d, 250ms, or ISO-8601",
    "such as PT30S): from then on it is absent to every read, and maintenance removes it."})
final class PutCommand extends StoreCommand {

  @Parameters(index = "0", paramLabel = "COLLECTION", description = "Collection name ([A-Za-z0-9_.-]{1,64}).")
  String collection;

  @Parameters(index = "1", paramLabel = "KEY", description = "Key (1-256 UTF-8 bytes).")
  String key;

  @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = "The value; '-' reads stdin.")
  String value;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the value from FILE.")
  Path file;

  @Option(names = "--if-absent", description = "Store only if the key holds no value.")
  boolean ifAbsent;

  @Option(names = "--if-version", paramLabel = "N",
      description = "Store only if the record is at version N (see 'get --meta').")
  Long ifVersion;

  @Option(names = "--ttl", paramLabel = "DURATION",
      description = "Time to live: 30s, 5m, 2h, 1d, 250ms or ISO-8601 (PT30S); positive.")
  String ttl;

  @Override
  public Integer call() {
    checkedArgument(key, "KEY");
    if (ifAbsent && ifVersion != null) {
      throw CliException.usage("give --if-absent or --if-version, not both");
    }
    Duration timeToLive = ttl == null ? null : parseTtl(ttl);
    byte[] bytes = value();
    try (Storage storage = openOrCreate()) {
      if (!store(storage, bytes, timeToLive)) {
        throw new CliException(CairnCli.NOT_APPLIED, "not stored: " + collection + "/" + key
            + (ifAbsent ? " exists (--if-absent)" : " is not at version " + ifVersion));
      }
      RecordMetadata m = storage.metadata(collection, key).orElseThrow();
      if (cli.json) {
        json(Json.metadata(m));
      } else {
        out().printf("stored %s/%s: %s as %s (%s%s), version %d%n", collection, key,
            Fmt.bytes(m.rawLength()), Fmt.bytes(m.storedLength()), m.codec(),
            m.deduplicated() ? ", shared" : ", in its record", m.version());
        m.expiresAt().ifPresent(e -> out().printf("expires at %s%n", e));
      }
    }
    return CairnCli.OK;
  }

  /**
   * Stores the value as the options say; false if a condition did not hold. A conditional write
   * with a TTL is a transaction: the check and the write are atomic as with putIfAbsent.
   */
  private boolean store(Storage storage, byte[] bytes, Duration timeToLive) {
    if (timeToLive == null) {
      if (ifAbsent) {
        return storage.putBytesIfAbsent(collection, key, bytes);
      }
      if (ifVersion != null) {
        return storage.replaceBytesIfVersion(collection, key, ifVersion, bytes);
      }
      storage.putBytes(collection, key, bytes);
      return true;
    }
    return storage.transaction(tx -> {
      boolean holds = ifAbsent ? !tx.contains(collection, key)
          : ifVersion == null || tx.getVersioned(collection, key, dev.cairn.storage.Bytes.class)
              .filter(v -> v.version() == ifVersion).isPresent();
      if (holds) {
        tx.putBytes(collection, key, bytes, timeToLive);
      }
      return holds;
    });
  }

  /** A TTL as 30s, 5m, 2h, 1d, 250ms or ISO-8601; positive. */
  static Duration parseTtl(String text) {
    Duration d;
    try {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(text);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        d = switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      } else {
        d = Duration.parse(text);
      }
    } catch (ArithmeticException | java.time.format.DateTimeParseException
        | NumberFormatException e) {
      throw CliException.usage("--ttl " + text
          + " is not a duration: give e.g. 30s, 5m, 2h, 1d, 250ms or ISO-8601 such as PT30S");
    }
    if (d.isZero() || d.isNegative()) {
      throw CliException.usage("--ttl must be positive, got " + text);
    }
    return d;
  }

  private byte[] value() {
    if ((value == null) == (file == null)) {
      throw CliException.usage(
          "give the value as an argument, with --file FILE, or '-' to read stdin (exactly one)");
    }
    try {
      if (file != null) {
        return Files.readAllBytes(file);
      }
      if (value.equals("-")) {
        return cli.stdin.readAllBytes();
      }
      // bytes that were not valid text on the command line arrive as U+FFFD: not "as given"
      return checkedArgument(value, "VALUE", "; give binary values with --file or '-'")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
