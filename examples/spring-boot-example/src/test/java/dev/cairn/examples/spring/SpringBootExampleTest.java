package dev.cairn.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.storage.Storage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the example as {@code main} does, on a free port, and talks HTTP to it. */
final class SpringBootExampleTest {

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newHttpClient();

  private static HttpRequest.Builder request(String base, String path) {
    return HttpRequest.newBuilder(URI.create(base + path));
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), BodyHandlers.ofByteArray());
  }

  @Test
  void servesAPutAndAGetThroughTheStorageBeanAndReportsHealth() throws Exception {
    try (ConfigurableApplicationContext app = SpringApplication.run(SpringBootExample.class,
        "--server.port=0", "--server.address=127.0.0.1",
        "--cairn.directory=" + tmp.resolve("store"),
        "--cairn.backup.target=" + tmp.resolve("backups"))) {
      String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
      byte[] value = "{\"name\":\"Ada\",\"balance\":100}".getBytes(StandardCharsets.UTF_8);

      HttpResponse<byte[]> put = send(request(base, "/records/players/p-1")
          .header("Content-Type", "application/json").PUT(BodyPublishers.ofByteArray(value)));
      assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8))
          .isEqualTo(204);
      assertThat(app.getBean(Storage.class).getBytes("players", "p-1")).hasValue(value);

      HttpResponse<byte[]> get = send(request(base, "/records/players/p-1"));
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).isEqualTo(value);

      assertThat(send(request(base, "/records/players/p-2")).statusCode()).isEqualTo(404);
      HttpResponse<byte[]> refused = send(request(base, "/records/no%20spaces/k")
          .PUT(BodyPublishers.ofByteArray(value)));
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("no spaces");

      HttpResponse<byte[]> health = send(request(base, "/actuator/health"));
      assertThat(health.statusCode()).isEqualTo(200);
      JsonNode cairn = new ObjectMapper().readTree(health.body()).path("components").path("cairn");
      assertThat(cairn.path("status").asText()).isEqualTo("UP");
      assertThat(cairn.path("details").path("name").asText()).isEqualTo("cairn");
      assertThat(cairn.path("details").path("backend").asText()).isEqualTo("sqlite");
      assertThat(cairn.path("details").path("directory").asText())
          .isEqualTo(tmp.resolve("store").toString());
      assertThat(cairn.path("details").path("diskFreeBytes").asLong()).isPositive();
      assertThat(cairn.path("details").path("lastBackup").asText()).isEqualTo("none");
    }
  }
}
