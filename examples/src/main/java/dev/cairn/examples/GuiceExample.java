package dev.cairn.examples;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Injector;
import dev.cairn.storage.Storage;
import dev.cairn.storage.guice.CairnModule;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Guice wiring: {@link CairnModule} binds {@link Storage} as a singleton opened from the same
 * builder plain-Java users call {@code open()} on; application classes inject it.
 */
public final class GuiceExample {

  /** An application service that needs storage. */
  public static final class PlayerService {
    private final Storage storage;

    @Inject
    PlayerService(Storage storage) {
      this.storage = storage;
    }

    /** Registers a player. */
    public void register(String id, String name) {
      storage.put("players", id, new QuickStart.Player(name, 0));
    }

    /** A player's name, if registered. */
    public Optional<String> name(String id) {
      return storage.get("players", id, QuickStart.Player.class).map(QuickStart.Player::name);
    }
  }

  private GuiceExample() {}

  /** Runs the example in {@code args[0]} (default {@code cairn-data/guice}). */
  public static void main(String[] args) {
    run(Path.of(args.length > 0 ? args[0] : "cairn-data/guice"), System.out);
  }

  /** Wires a store with Guice, registers a player through a service, returns its name. */
  public static String run(Path dir, PrintStream out) {
    Injector injector = Guice.createInjector(
        new CairnModule(Storage.builder().directory(dir).backend("sqlite")),
        new AbstractModule() {});   // your application's own modules go here
    Storage storage = injector.getInstance(Storage.class);   // a singleton: close it at shutdown
    try {
      PlayerService players = injector.getInstance(PlayerService.class);
      players.register("p-1", "Ada");
      String name = players.name("p-1").orElseThrow();
      out.println("registered through Guice: " + name
          + " (same Storage instance: " + (injector.getInstance(Storage.class) == storage) + ")");
      return name;
    } finally {
      storage.close();
    }
  }
}
