package dev.cairn.conformance;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Puts the kit subclass a failing test ran under at the front of its message, e.g.
 * {@code [RocksBackendConformanceTest > crash recovery] ...}: a kit's tests live in its
 * {@code @Nested} groups, which test reports name by the group ("CRUD") alone, so with several
 * plugins under test a failure would not say which one failed. Skips (assumptions) pass
 * through unchanged.
 */
final class NamesKitRun implements TestExecutionExceptionHandler {

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    if (failure instanceof TestAbortedException) {
      throw failure;
    }
    Object outermost = context.getRequiredTestInstances().getAllInstances().get(0);
    String runner = outermost.getClass().getSimpleName();
    String group = context.getRequiredTestClass() == outermost.getClass()
        ? "" : " > " + context.getParent().map(ExtensionContext::getDisplayName).orElse("");
    String prefix = "[" + runner + group + "] ";
    String message = failure.getMessage();
    if (message != null && message.startsWith(prefix)) {
      throw failure;
    }
    AssertionError named = new AssertionError(prefix + (message == null ? failure : message),
        failure);
    named.setStackTrace(failure.getStackTrace());
    throw named;
  }
}
