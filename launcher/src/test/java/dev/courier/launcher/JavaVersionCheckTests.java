package dev.courier.launcher;

import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.springframework.boot.loader.tools.Layouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaVersionCheckTests {

    @Test
    void refusesJava17WithOneLineNamingTheVersionAndWhereItIs() {
        assertThat(JavaVersionCheck.refusal(jvm("17", "17.0.15", "/usr/lib/jvm/java-17-openjdk-amd64")))
                .isEqualTo("Courier needs Java 21 or newer; this is Java 17.0.15 (/usr/lib/jvm/java-17-openjdk-amd64)."
                        + " Set JAVA_HOME or PATH to a JDK 21+.");
    }

    @Test
    void refusesJava8WhoseSpecificationVersionReadsOneDotEight() {
        assertThat(JavaVersionCheck.refusal(jvm("1.8", "1.8.0_452", "/usr/lib/jvm/java-8/jre")))
                .startsWith("Courier needs Java 21 or newer; this is Java 1.8.0_452 (/usr/lib/jvm/java-8/jre).");
    }

    @Test
    void acceptsJava21AndNewer() {
        assertThat(JavaVersionCheck.refusal(jvm("21", "21.0.7", "/jdk21"))).isNull();
        assertThat(JavaVersionCheck.refusal(jvm("25", "25.0.1", "/jdk25"))).isNull();
        assertThat(JavaVersionCheck.refusal(jvm("26", "26-ea", "/jdk26"))).isNull();
    }

    @Test
    void letsThroughAVersionItCannotRead() {
        assertThat(JavaVersionCheck.refusal(jvm("", "?", "/somewhere"))).isNull();
        assertThat(JavaVersionCheck.refusal(jvm("unknown", "?", "/somewhere"))).isNull();
    }

    @Test
    void readsTheFeatureReleaseOfOldAndNewSpecificationVersions() {
        assertThat(JavaVersionCheck.feature("1.8")).isEqualTo(8);
        assertThat(JavaVersionCheck.feature("11")).isEqualTo(11);
        assertThat(JavaVersionCheck.feature("17")).isEqualTo(17);
        assertThat(JavaVersionCheck.feature("21")).isEqualTo(21);
    }

    @Test
    void handsOverToTheMainClassWithTheArgumentsUnchanged() throws Throwable {
        String[] args = {"--help", "two words", ""};

        JavaVersionCheck.checkThenRun(RecordingMain.class.getName(), args);

        assertThat(RecordingMain.received).containsExactly("--help", "two words", "");
    }

    @Test
    void passesAnExceptionFromTheMainClassThroughUnwrapped() {
        assertThatThrownBy(() -> JavaVersionCheck.checkThenRun(FailingMain.class.getName(), new String[0]))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("failed in main");
    }

    @Test
    void handsOverToTheLauncherThatSpringBootsJarLayoutNames() {
        assertThat(JavaVersionCheck.SPRING_BOOT_LAUNCHER).isEqualTo(new Layouts.Jar().getLauncherClassName());
    }

    private static Properties jvm(String specificationVersion, String version, String home) {
        Properties properties = new Properties();
        properties.setProperty("java.specification.version", specificationVersion);
        properties.setProperty("java.version", version);
        properties.setProperty("java.home", home);
        return properties;
    }

    public static final class RecordingMain {

        static List<String> received = List.of();

        public static void main(String[] args) {
            received = List.of(args);
        }
    }

    public static final class FailingMain {

        public static void main(String[] args) {
            throw new IllegalStateException("failed in main");
        }
    }
}
