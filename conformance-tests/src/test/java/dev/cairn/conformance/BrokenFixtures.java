package dev.cairn.conformance;

import dev.cairn.storage.spi.BackendProvider;
import dev.cairn.storage.spi.CacheProvider;
import dev.cairn.storage.StorageBuilder;
import dev.cairn.storage.spi.CodecProvider;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Kit runs against deliberately broken plugins. They are expected to FAIL, so they only run
 * when {@link KitRejectsBrokenFixturesTest} launches them through the EngineTestKit with the
 * configuration parameter {@value #ENABLE}; anywhere else (an IDE running the whole package)
 * they are reported as disabled with that explanation.
 */
final class BrokenFixtures {

  static final String ENABLE = "dev.cairn.conformance.runBrokenFixtures";

  private BrokenFixtures() {}

  /** Enables a broken-fixture class only under {@link KitRejectsBrokenFixturesTest}. */
  static final class OnlyUnderSelfTest implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(ENABLE).map(Boolean::parseBoolean).orElse(false)
          ? ConditionEvaluationResult.enabled("run by KitRejectsBrokenFixturesTest")
          : ConditionEvaluationResult.disabled(
              "broken on purpose: these fail by design and run only inside "
                  + "KitRejectsBrokenFixturesTest");
    }
  }

  @ExtendWith(OnlyUnderSelfTest.class)
  static final class RollbackKeepsWrites extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
      return new ReferenceBackendProvider(ReferenceBackendProvider.Defect.ROLLBACK_KEEPS_WRITES);
    }
  }

  @ExtendWith(OnlyUnderSelfTest.class)
  static final class ScanIgnoresUpperBound extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
      return new ReferenceBackendProvider(
          ReferenceBackendProvider.Defect.SCAN_IGNORES_UPPER_BOUND);
    }
  }

  @ExtendWith(OnlyUnderSelfTest.class)
  static final class DescendingScanIncludesUpperBound extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
      return new ReferenceBackendProvider(
          ReferenceBackendProvider.Defect.DESCENDING_SCAN_INCLUDES_UPPER_BOUND);
    }
  }

  @ExtendWith(OnlyUnderSelfTest.class)
  static final class DropsBodies extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
      return new ReferenceBackendProvider(ReferenceBackendProvider.Defect.DROPS_BODIES);
    }
  }

  @ExtendWith(OnlyUnderSelfTest.class)
  static final class CommitsKeyspacesApart extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
      return new ReferenceBackendProvider.CommitsKeyspacesApart();
    }
  }

  @ExtendWith(OnlyUnderSelfTest.class)
  static final class CodecIgnoresRawLength extends CodecConformanceKit {
    @Override
    protected CodecProvider provider() {
      return new BrokenCodecProvider(BrokenCodecProvider.Defect.IGNORES_RAW_LENGTH);
    }
  }

  @ExtendWith(OnlyUnderSelfTest.class)
  static final class CodecAllocatesRawLength extends CodecConformanceKit {
    @Override
    protected CodecProvider provider() {
      return new BrokenCodecProvider(BrokenCodecProvider.Defect.ALLOCATES_RAW_LENGTH);
    }
  }

  @ExtendWith(OnlyUnderSelfTest.class)
  static final class CacheIgnoresInvalidate extends CacheConformanceKit {
    @Override
    protected CacheProvider provider() {
      return new ReferenceCacheProvider(ReferenceCacheProvider.Defect.IGNORES_INVALIDATE);
    }
  }

  @ExtendWith(OnlyUnderSelfTest.class)
  static final class StorageOverBlobLeakingBackend extends StorageConformanceKit {
    @Override
    protected StorageBuilder configure(StorageBuilder builder) {
      return builder.backend(
          new ReferenceBackendProvider(ReferenceBackendProvider.Defect.DROPS_BLOB_DELETES));
    }

  }
}
