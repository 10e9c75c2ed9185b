package dev.cairn.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The proof that the kits have teeth: each is run (through the JUnit EngineTestKit) against a
 * deliberately broken plugin, and the tests that cover the defect must fail.
 */
final class KitRejectsBrokenFixturesTest {

  private static Events run(DiscoverySelector selector) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selector)
        .configurationParameter(BrokenFixtures.ENABLE, "true")
        .execute()
        .testEvents();
  }

  private static Set<String> failedMethods(Class<?> kitSubclass) {
    Events events = run(selectClass(kitSubclass));
    assertThat(events.started().count()).as("tests run for %s", kitSubclass.getSimpleName())
        .isPositive();
    Set<String> failed = new TreeSet<>();
    events.failed().stream().map(KitRejectsBrokenFixturesTest::methodName).forEach(failed::add);
    return failed;
  }

  private static String methodName(Event e) {
    return e.getTestDescriptor().getSource()
        .filter(MethodSource.class::isInstance)
        .map(s -> ((MethodSource) s).getMethodName())
        .orElse(e.getTestDescriptor().getDisplayName());
  }

  @Test
  void backendKitRejectsARollbackThatKeepsWrites() {
    assertThat(failedMethods(BrokenFixtures.RollbackKeepsWrites.class)).containsAll(List.of(
        "rollbackLeavesNothing", "closeWithoutCommitRollsBack", "operationsAfterRollbackThrow"));
  }

  @Test
  void backendKitRejectsAScanThatIgnoresItsUpperBound() {
    assertThat(failedMethods(BrokenFixtures.ScanIgnoresUpperBound.class)).containsAll(List.of(
        "boundsAreInclusiveAndExclusive", "prefixRangesEndingInFfBytes", "emptyRangeReturnsNothing",
        "fromAboveToReturnsNothing", "randomRangesMatchAModel", "nullBoundsAreOpen"));
  }

  @Test
  void backendKitRejectsADescendingScanThatIncludesItsUpperBound() {
    Set<String> failed = failedMethods(BrokenFixtures.DescendingScanIncludesUpperBound.class);
    assertThat(failed).containsAll(List.of("descendingBoundsAreInclusiveAndExclusive",
        "emptyDescendingRangeReturnsNothing", "singleEntry", "keysWithFfBytes",
        "randomDescendingRangesMatchAModel", "descendingScanSeesOwnWrites"));
    assertThat(failed).as("the ascending scans are right").doesNotContain(
        "boundsAreInclusiveAndExclusive", "randomRangesMatchAModel");
  }

  @Test
  void backendKitRejectsABackendThatLosesTheBodyOfAValueWrittenInTwoParts() {
    Set<String> failed = failedMethods(BrokenFixtures.DropsBodies.class);
    assertThat(failed).as("the two-part group fails, and nothing else")
        .containsExactlyInAnyOrder("aValuePutInTwoPartsReadsBackWhole",
            "putsInOneOrTwoPartsReplaceEachOther", "putIfAbsentInTwoParts",
            "partsBelongToTheirCaller");
  }

  @Test
  void backendKitRejectsACommitThatReachesDiskOneKeyspaceAtATime() {
    // only a crash can show it: the kit's crash recovery group must fail, the rest passes
    Set<String> failed = failedMethods(BrokenFixtures.CommitsKeyspacesApart.class);
    assertThat(failed).containsAnyOf("syncCommitsSurviveKill", "groupCommitsSurviveKill");
    assertThat(failed).allMatch(m -> m.endsWith("SurviveKill"),
        "only the crash tests fail: the defect is invisible without a crash");
  }

  @Test
  void corruptionCheckerRejectsABackendThatWipesAStoreItCannotRead(@TempDir Path dir) {
    CorruptionChecker.Report r =
        CorruptionChecker.builder(ReferenceBackendProvider.WipesDamagedStore.class, dir)
            .randomFlips(30)
            .targetedFlips(10)
            .report();
    assertThat(r.violations()).as("violations of %s", r)
        .anyMatch(v -> v.contains("data silently dropped"));
  }

  @Test
  void corruptionCheckerPassesTheCorrectDurableReferenceBackend(@TempDir Path dir) {
    CorruptionChecker.Report r =
        CorruptionChecker.builder(ReferenceBackendProvider.Durable.class, dir)
            .randomFlips(30)
            .targetedFlips(10)
            .report();
    assertThat(r.violations()).as("violations of %s", r).isEmpty();
    assertThat(r.openFailed()).as("damage found at open").isPositive();
  }

  @Test
  void codecKitRejectsADecodeThatIgnoresTheRawLength() {
    assertThat(failedMethods(BrokenFixtures.CodecIgnoresRawLength.class)).containsAll(List.of(
        "smallerRawLengthThrows", "largerRawLengthThrows", "hugeRawLengthThrowsWithoutAllocating",
        "truncatedInput", "negativeRawLengthThrows"));
  }

  @Test
  void codecKitRejectsADecodeThatAllocatesAForgedRawLength() {
    assertThat(failedMethods(BrokenFixtures.CodecAllocatesRawLength.class))
        .contains("hugeRawLengthThrowsWithoutAllocating");
  }

  @Test
  void cacheKitRejectsACacheThatIgnoresInvalidate() {
    assertThat(failedMethods(BrokenFixtures.CacheIgnoresInvalidate.class)).containsAll(List.of(
        "invalidateRemovesEntry", "invalidatedEntryIsNeverResurrected",
        "hitsAndMissesAreCounted"));
  }

  @Test
  void storageKitRejectsAStoreThatLeaksBlobsAfterTheLastReferenceIsDeleted() {
    assertThat(failedMethods(BrokenFixtures.StorageOverBlobLeakingBackend.class)).containsAll(
        List.of("referenceCountsSurviveDeletes", "overwriteWithAnotherKeysContent",
            "perCollectionScope"));
  }

  @Test
  @Tag("slow")
  void powerLossHarnessRejectsACommitThatSkipsFsync(@TempDir Path dir) {
    assertThatThrownBy(() -> PowerLossHarness.builder(
                ReferenceBackendProvider.SkipsFsync.class, dir.resolve("store"))
            .sessions(1)
            .stepsPerSession(4)
            .run())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("acknowledged commit(s) LOST")
        .hasMessageContaining("LOSE_UNSYNCED")
        .hasMessageContaining("reference-backend.log: kept 0 of");
  }

  @Test
  @Tag("slow")
  void powerLossHarnessRejectsAStoreFileWhoseDirectoryEntryIsNeverSynced(@TempDir Path dir) {
    assertThatThrownBy(() -> PowerLossHarness.builder(
                ReferenceBackendProvider.SkipsDirectoryFsync.class, dir.resolve("store"))
            .sessions(1)
            .stepsPerSession(4)
            .run())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("acknowledged commit(s) LOST")
        .hasMessageContaining("undone: create reference-backend.log");
  }

  @Test
  @Tag("slow")
  void powerLossHarnessPassesTheCorrectDurableReferenceBackend(@TempDir Path dir) {
    PowerLossHarness.Report report = PowerLossHarness.builder(
            ReferenceBackendProvider.Durable.class, dir.resolve("store"))
        .stepsPerSession(8)
        .run();
    assertThat(report.droppedOperations()).as("unsynced writes were dropped").isPositive();
  }

  @Test
  void aMissingCapabilityIsReportedAsASkipWithItsReasonNotAsAPass() {
    Events events = run(selectNestedClass(
        List.of(ReferenceBackendConformanceTest.class), BackendConformanceKit.Durable.class));
    assertThat(events.started().count()).isPositive();
    assertThat(events.succeeded().count()).as("durability tests passed without DURABLE")
        .isZero();
    assertThat(events.failed().count()).isZero();
    assertThat(events.aborted().stream()
            .map(e -> e.getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable)
                .map(Throwable::getMessage).orElse(""))
            .toList())
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m).contains("does not declare capability DURABLE"));
  }
}
