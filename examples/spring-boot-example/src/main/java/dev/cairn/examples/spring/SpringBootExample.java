package dev.cairn.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application whose only Cairn code is the {@code Storage} bean it injects
 * ({@link RecordController}): the store, its backups and its health indicator come from
 * {@code cairn-spring-boot} and {@code application.properties}. Run it with
 * {@code ./cairn spring-demo}.
 */
@SpringBootApplication
public class SpringBootExample {

  /** Starts the application; arguments such as {@code --server.port=9090} override properties. */
  public static void main(String[] args) {
    SpringApplication.run(SpringBootExample.class, args);
  }
}
