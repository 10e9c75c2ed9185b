package dev.cairn.storage;

import java.util.Objects;

/**
 * A value read together with the version of the write that produced it, from
 * {@link Storage#getVersioned(String, String, Class)} or
 * {@link Transaction#getVersioned(String, String, Class)}: the two always belong together, so
 * passing {@link #version()} to {@link Storage#replaceIfVersion} or
 * {@link Storage#deleteIfVersion} applies only if the record still holds {@link #value()}.
 *
 * <p>A version is the store-wide sequence number of one write ({@link RecordMetadata#version()}):
 * every put of a record, conditional or not, gives it a new version that no other write of the
 * store ever had or will have (not after a crash, a delete and a new put of the key, nor across
 * instances sharing a PostgreSQL store). Versions are positive. They are not in commit order
 * across instances, so compare them only for equality. A restore or migration writes every
 * record anew, with new versions.
 *
 * @param <T> the type the value was mapped to
 * @param value the value, mapped as {@link Storage#get(String, String, Class)} maps it
 * @param version the version of the write that produced {@code value}
 */
public record Versioned<T>(T value, long version) {

  /**
   * Checks the components.
   *
   * @param value the value
   * @param version the version
   * @throws NullPointerException if {@code value} is null
   */
  public Versioned {
    Objects.requireNonNull(value, "value");
  }
}
