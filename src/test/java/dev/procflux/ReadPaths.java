package dev.procflux;

/**
 * Two engines alike but for how streams read stdout (through NuProcess, or {@code directReads}), for the tests that
 * run on both read paths.
 */
final class ReadPaths {
    private final ProcessEngine nuProcess;
    private final ProcessEngine direct;

    /** @param engine an engine on the NuProcess path; the direct one is built from its options */
    ReadPaths(ProcessEngine engine) {
        this.nuProcess = engine;
        this.direct = engine.options().toBuilder().directReads(true).build();
    }

    ProcessEngine engine(boolean directReads) {
        return directReads ? direct : nuProcess;
    }

    /** Closes both engines and asserts that neither left a process, a slot or buffered output behind. */
    void closeAndAssertClean() {
        try {
            OsProcesses.closeAndAssertClean(nuProcess);
        }
        finally {
            OsProcesses.closeAndAssertClean(direct);
        }
    }
}
