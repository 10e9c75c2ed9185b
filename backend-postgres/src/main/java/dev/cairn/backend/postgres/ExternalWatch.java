package dev.cairn.backend.postgres;

import dev.cairn.storage.spi.ExternalCommitListener;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-instance change notification over LISTEN/NOTIFY.
 *
 * <p>Sending: a write transaction that changed watched keys calls {@code pg_notify} before its
 * {@code COMMIT} (payload: this instance's id, the keyspace and the Base64 keys, split to stay
 * under PostgreSQL's 8000-byte payload limit; {@code *} when there are too many). NOTIFY is
 * transactional: delivered only if the transaction commits, after it commits, in commit order.
 *
 * <p>Receiving: one dedicated connection (outside the pools) that LISTENs. A <em>fence</em> runs
 * {@code SELECT 1} on it and drains what arrived: a commit visible to a snapshot taken before the
 * fence's query has its notification in the server's queue, and the server hands the listening
 * session every queued notification before that query's response. Every transaction of the
 * backend fences when it ends, so a caller has been told of everything its snapshot saw before
 * it can use what it read; concurrent fences share one round trip. A poller thread fences every
 * {@value #POLL_MS} ms so idle instances catch up too. If the connection fails the listener is
 * told {@code unknownChanges} (drop everything) and the connection is reopened; once the new
 * {@code LISTEN} is in place it is told {@code unknownChanges} again, for the commits made while
 * nobody listened.
 */
final class ExternalWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ExternalWatch.class);
  static final long POLL_MS = 200;
  private static final int MAX_PAYLOAD = 7000;
  private static final int MAX_KEYS_PER_COMMIT = 2000;

  private final PostgresOptions options;
  private final String channel;
  private final String instance = UUID.randomUUID().toString();
  private final Set<String> keyspaces;
  private final ExternalCommitListener listener;
  private final Object lock = new Object();
  private final AtomicLong requested = new AtomicLong();
  private long completed;
  private Connection conn;
  private final Thread poller;
  private volatile boolean closed;

  ExternalWatch(PostgresOptions options, Set<String> keyspaces, ExternalCommitListener listener) {
    this.options = options;
    this.channel = channel(options.schema());
    this.keyspaces = Set.copyOf(keyspaces);
    this.listener = listener;
    if (listener == null) {
      poller = null; // publish only: no connection, no fences
      return;
    }
    synchronized (lock) {
      connect(false);
    }
    poller = new Thread(this::poll, "cairn-pg-watch-" + options.schema());
    poller.setDaemon(true);
    poller.start();
  }

  /** The NOTIFY channel of a schema (an identifier of at most 63 bytes). */
  static String channel(String schema) {
    String c = "cairn_" + schema;
    return c.length() <= 63 ? c : c.substring(0, 54) + "_" + Integer.toHexString(schema.hashCode());
  }

  boolean watches(String keyspace) {
    return keyspaces.contains(keyspace);
  }

  /** Queues the notifications of {@code changed} (keyspace to keys) in the committing transaction. */
  void notifyInTransaction(Connection tx, java.util.Map<String, List<byte[]>> changed)
      throws SQLException {
    List<String> payloads = new ArrayList<>();
    int total = changed.values().stream().mapToInt(List::size).sum();
    if (total > MAX_KEYS_PER_COMMIT) {
      payloads.add(instance + " *");
    } else {
      changed.forEach((ks, keys) -> {
        StringBuilder p = new StringBuilder(instance).append(' ').append(ks).append(' ');
        int start = p.length();
        for (byte[] k : keys) {
          String enc = Base64.getEncoder().encodeToString(k);
          if (p.length() + enc.length() + 1 > MAX_PAYLOAD && p.length() > start) {
            payloads.add(p.toString());
            p.setLength(start);
          }
          if (p.length() > start) {
            p.append(',');
          }
          p.append(enc);
        }
        payloads.add(p.toString());
      });
    }
    try (PreparedStatement ps = tx.prepareStatement("SELECT pg_notify(?, ?)")) {
      for (String payload : payloads) {
        ps.setString(1, channel);
        ps.setString(2, payload);
        ps.execute();
      }
    }
  }

  /**
   * For {@code Storage.catchUp()}: a fence, which reports every commit acknowledged before it
   * began (such a commit's notification was queued, and the listening session signalled, before
   * its {@code COMMIT} returned). False if nobody listens (publish only).
   */
  boolean catchUp() {
    if (listener == null) {
      return false;
    }
    fence();
    return true;
  }

  /** Returns once every commit visible to a snapshot taken before this call has been reported. */
  void fence() {
    if (closed || listener == null) {
      return;
    }
    long ticket = requested.incrementAndGet();
    synchronized (lock) {
      if (completed >= ticket || closed) {
        return;
      }
      long target = requested.get();
      try {
        if (conn == null) {
          connect(true);
          if (conn == null) {
            return; // told unknownChanges; the next fence retries
          }
        }
        try (Statement st = conn.createStatement()) {
          st.execute("SELECT 1");
        }
        PGNotification[] ns = conn.unwrap(PGConnection.class).getNotifications();
        if (ns != null) {
          for (PGNotification n : ns) {
            deliver(n.getParameter());
          }
        }
        completed = target;
      } catch (SQLException e) {
        LOG.warn("lost the PostgreSQL change-notification connection ({}); dropping the cache"
            + " and reconnecting", e.getMessage());
        closeQuietly();
        listener.unknownChanges();
        completed = target; // everything cached before now was dropped: nothing stale remains
      }
    }
  }

  private void deliver(String payload) {
    int sp = payload.indexOf(' ');
    if (sp < 0) {
      listener.unknownChanges();
      return;
    }
    if (payload.substring(0, sp).equals(instance)) {
      return; // our own commit: the engine already invalidated it
    }
    String rest = payload.substring(sp + 1);
    if (rest.equals("*")) {
      listener.unknownChanges();
      return;
    }
    int sp2 = rest.indexOf(' ');
    String keyspace = sp2 < 0 ? rest : rest.substring(0, sp2);
    if (!keyspaces.contains(keyspace)) {
      return;
    }
    List<byte[]> keys = new ArrayList<>();
    try {
      for (String k : rest.substring(sp2 + 1).split(",")) {
        if (!k.isEmpty()) {
          keys.add(Base64.getDecoder().decode(k.getBytes(StandardCharsets.US_ASCII)));
        }
      }
    } catch (IllegalArgumentException e) {
      listener.unknownChanges();
      return;
    }
    listener.changed(keyspace, keys);
  }

  /**
   * Opens the listening connection. A reconnect then drops the whole cache: commits made while
   * no connection listened were announced to nobody, and a value read before one of them may
   * have been cached since the last drop. The drop must come after the new {@code LISTEN} is in
   * place: every commit from then on is announced, and every earlier one is visible to any
   * snapshot taken after the drop, so nothing falls in between (readers that noted their
   * coherence stamp before the drop cannot populate after it).
   */
  private void connect(boolean reconnect) {
    try {
      Properties p = new Properties();
      if (options.user() != null) {
        p.setProperty("user", options.user());
      }
      String password = options.password();
      if (password != null) {
        p.setProperty("password", password);
      }
      p.setProperty("ApplicationName", "cairn-watch " + options.schema());
      String timeout = Long.toString(Math.max(1, options.connectTimeoutMs() / 1000));
      p.setProperty("connectTimeout", timeout);
      // a fence that gets no answer (a half-open connection) fails after this and drops the
      // cache, instead of leaving cached values unchecked until TCP gives up
      p.setProperty("socketTimeout", timeout);
      Connection c = DriverManager.getConnection(options.url(), p);
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("LISTEN " + channel);
      }
      conn = c;
      if (reconnect) {
        LOG.info("reopened the PostgreSQL change-notification connection; dropped the cache");
        listener.unknownChanges();
      }
    } catch (SQLException e) {
      LOG.warn("cannot open the PostgreSQL change-notification connection: {}", e.getMessage());
      conn = null;
      listener.unknownChanges();
    }
  }

  private void poll() {
    while (!closed) {
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        return;
      }
      try {
        fence();
      } catch (RuntimeException e) {
        LOG.warn("change-notification poll failed", e);
      }
    }
  }

  private void closeQuietly() {
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException e) {
        LOG.debug("closing the notification connection failed", e);
      }
      conn = null;
    }
  }

  @Override
  public void close() {
    closed = true;
    if (poller != null) {
      poller.interrupt();
    }
    synchronized (lock) {
      closeQuietly();
    }
  }
}
