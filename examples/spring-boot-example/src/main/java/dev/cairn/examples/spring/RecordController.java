package dev.cairn.examples.spring;

import dev.cairn.storage.Storage;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code PUT /records/{collection}/{key}} stores the request body as the record's bytes;
 * {@code GET} returns them, or 404. A collection name or key the store refuses is a 400 with
 * the store's message.
 */
@RestController
@RequestMapping("/records")
class RecordController {

  private final Storage storage;

  RecordController(Storage storage) {
    this.storage = storage;
  }

  @PutMapping("/{collection}/{key}")
  ResponseEntity<Void> put(@PathVariable("collection") String collection,
      @PathVariable("key") String key, @RequestBody byte[] value) {
    storage.putBytes(collection, key, value);
    return ResponseEntity.noContent().build();
  }

  @GetMapping("/{collection}/{key}")
  ResponseEntity<byte[]> get(@PathVariable("collection") String collection,
      @PathVariable("key") String key) {
    return storage.getBytes(collection, key)
        .map(v -> ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(v))
        .orElseGet(() -> ResponseEntity.notFound().build());
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ResponseEntity<String> refused(IllegalArgumentException e) {
    return ResponseEntity.badRequest().contentType(MediaType.TEXT_PLAIN)
        .body(e.getMessage() + "\n");
  }
}
