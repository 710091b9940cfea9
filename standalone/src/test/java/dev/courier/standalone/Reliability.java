package dev.courier.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Collects the figures of the fault tests in {@code target/reliability.txt}, the source of the README's table. */
final class Reliability {

    private static final Logger log = LoggerFactory.getLogger(Reliability.class);

    private static final Path REPORT = Path.of("target", "reliability.txt");

    private Reliability() {}

    static synchronized void record(Load.Figures figures) {
        log.info("RELIABILITY {}", figures);
        try {
            Files.createDirectories(REPORT.getParent());
            Files.writeString(
                    REPORT, figures + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
