package dev.courier.bench;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's per-process CPU, read from {@code /proc}: all of a process's threads, and of a JVM its JIT compiler
 * threads (what the benchmark prints as the share still compiling).
 */
class ProcessesTests {

    @Test
    void aJvmsCompilerThreadsAreCountedAndAreAPartOfItsCpu() {
        try (Processes processes = new Processes()) {
            processes.add("this jvm", ProcessHandle.current().pid());

            Processes.Cpu cpu = processes.snapshot();

            double total = cpu.total().get("this jvm");
            double compiler = cpu.compiler().get("this jvm");
            assertThat(total).isPositive();
            assertThat(compiler).isNotNaN().isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(total);
        }
    }

    @Test
    void aProcessWithoutCompilerThreadsHasNoCompilerFigureAndAGoneOneNoFigureAtAll() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
        try (Processes processes = new Processes()) {
            processes.add("sleep", sleeper.pid());
            processes.add("gone", gone.pid());

            Processes.Cpu cpu = processes.snapshot();

            assertThat(cpu.total().get("sleep")).isNotNaN().isGreaterThanOrEqualTo(0);
            assertThat(cpu.compiler().get("sleep")).isNaN();
            assertThat(cpu.total().get("gone")).isNaN();
            assertThat(cpu.compiler().get("gone")).isNaN();
        } finally {
            sleeper.destroyForcibly();
        }
    }
}
