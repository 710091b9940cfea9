package dev.courier.launcher.layout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.loader.tools.Library;
import org.springframework.boot.loader.tools.LibraryScope;
import org.springframework.boot.loader.tools.Repackager;

import dev.courier.launcher.fixture.EchoApp;
import dev.courier.launcher.fixture.lib.Greeting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Packages a small application with Spring Boot's own {@link Repackager} and this module's layout, exactly as the
 * spring-boot-maven-plugin does for Courier's jars, and runs it with {@code java -jar}: with Java 17, which must
 * get one line and exit 1, and with the JDK running the build, which must run the application as before.
 */
class RunnableJarTests {

    /** Debian's Java 17; the tests that need it are skipped where it is not installed. */
    private static final Path JAVA_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

    private static final Path THIS_JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @TempDir
    static Path work;

    private static Path jar;

    @BeforeAll
    static void packageTheFixtureApplication() throws IOException, URISyntaxException {
        Path lib = work.resolve("greeting.jar");
        writeJar(lib, Greeting.class);
        jar = work.resolve("echo-app.jar");
        writeJar(jar, EchoApp.class);
        Repackager repackager = new Repackager(jar.toFile());
        repackager.setLayoutFactory(new VersionCheckedJarLayoutFactory());
        repackager.setMainClass(EchoApp.class.getName());
        repackager.setBackupSource(false);
        repackager.repackage((callback) -> callback.library(new Library(lib.toFile(), LibraryScope.COMPILE)));
    }

    @Test
    void onJava17PrintsOneLineSayingJava21IsNeededAndExitsWithOne() throws Exception {
        assumeTrue(Files.isExecutable(JAVA_17), JAVA_17 + " is not installed");

        Run run = run(JAVA_17, "--help");

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stdout).isEmpty();
        assertThat(run.stderr)
                .singleElement(InstanceOfAssertFactories.STRING)
                .matches("Courier needs Java 21 or newer; this is Java 17[^ ]* \\(/[^)]+\\)\\."
                        + " Set JAVA_HOME or PATH to a JDK 21\\+\\.");
    }

    @Test
    void onThisJdkRunsTheApplicationFromNestedJarsWithItsArgumentsAndExitCode() throws Exception {
        Run run = run(THIS_JAVA, "--help", "two words", "");

        assertThat(run.stdout).containsExactly("hello from a nested jar [--help, two words, ]");
        assertThat(run.stderr).isEmpty();
        assertThat(run.exitCode).isEqualTo(EchoApp.EXIT_CODE);
    }

    @Test
    void onThisJdkAnExceptionFromTheApplicationStillEndsTheRunWithItsStackTrace() throws Exception {
        Run run = run(THIS_JAVA, "fail");

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(String.join("\n", run.stderr))
                .contains("Caused by: java.lang.IllegalStateException: the application failed");
    }

    @Test
    void namesTheCheckAsMainClassAndKeepsTheApplicationAsStartClass() throws IOException {
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            Attributes manifest = jarFile.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Main-Class")).isEqualTo("dev.courier.launcher.JavaVersionCheck");
            assertThat(manifest.getValue("Start-Class")).isEqualTo(EchoApp.class.getName());
            assertThat(jarFile.getEntry("org/springframework/boot/loader/launch/JarLauncher.class"))
                    .isNotNull();
            try (DataInputStream check = new DataInputStream(
                    jarFile.getInputStream(jarFile.getEntry("dev/courier/launcher/JavaVersionCheck.class")))) {
                assertThat(check.readInt()).isEqualTo(0xCAFEBABE);
                check.readUnsignedShort();
                assertThat(check.readUnsignedShort())
                        .as("class file major version (52 is Java 8)")
                        .isEqualTo(52);
            }
        }
    }

    private static Run run(Path java, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(work, "stdout", ".txt");
        Path stderr = Files.createTempFile(work, "stderr", ".txt");
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("still running: " + command);
        }
        return new Run(
                process.exitValue(),
                Files.readAllLines(stdout, StandardCharsets.UTF_8),
                Files.readAllLines(stderr, StandardCharsets.UTF_8));
    }

    private static void writeJar(Path target, Class<?> type) throws IOException, URISyntaxException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        String entry = type.getName().replace('.', '/') + ".class";
        Path classes =
                Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (OutputStream out = Files.newOutputStream(target);
                JarOutputStream jarOut = new JarOutputStream(out, manifest);
                InputStream in = Files.newInputStream(classes.resolve(entry))) {
            jarOut.putNextEntry(new JarEntry(entry));
            in.transferTo(jarOut);
            jarOut.closeEntry();
        }
    }

    private record Run(int exitCode, List<String> stdout, List<String> stderr) {}
}
