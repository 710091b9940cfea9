package dev.courier.launcher;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Properties;

/**
 * The {@code Main-Class} of every runnable Courier jar. On a JVM older than Java 21 it prints one line that says
 * so and which Java ran, and exits with 1; otherwise it hands over to Spring Boot's {@code JarLauncher} with the
 * arguments unchanged, and whatever the application does (its exit code, an exception) passes through untouched.
 *
 * <p>Compiled for Java 8 and using nothing newer, so that an old JVM loads it; without it, Java 17 gets as far as
 * Spring Boot's launcher and then fails with an {@code UnsupportedClassVersionError} stack trace on the first
 * Courier class, and Java 8 or 11 fails on the launcher itself.
 */
public final class JavaVersionCheck {

    static final int REQUIRED_FEATURE = 21;

    /** The class that Spring Boot's JAR layout names as {@code Main-Class}; it reads {@code Start-Class}. */
    static final String SPRING_BOOT_LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";

    private JavaVersionCheck() {}

    public static void main(String[] args) throws Throwable {
        checkThenRun(SPRING_BOOT_LAUNCHER, args);
    }

    static void checkThenRun(String mainClass, String[] args) throws Throwable {
        String refusal = refusal(System.getProperties());
        if (refusal != null) {
            System.err.println(refusal);
            System.exit(1);
        }
        // A method handle, not reflection: an exception from main reaches the JVM as it was thrown,
        // not wrapped in an InvocationTargetException.
        MethodHandle main = MethodHandles.publicLookup()
                .findStatic(Class.forName(mainClass), "main", MethodType.methodType(void.class, String[].class));
        main.invokeExact(args);
    }

    /** The line to print when this JVM is too old for Courier, or null when it will do. */
    static String refusal(Properties system) {
        int feature = feature(system.getProperty("java.specification.version", ""));
        if (feature < 0 || feature >= REQUIRED_FEATURE) {
            // a version this check cannot read is let through: the JVM itself will then say what is wrong
            return null;
        }
        return "Courier needs Java " + REQUIRED_FEATURE + " or newer; this is Java "
                + system.getProperty("java.version", String.valueOf(feature)) + " ("
                + system.getProperty("java.home", "unknown location") + "). Set JAVA_HOME or PATH to a JDK "
                + REQUIRED_FEATURE + "+.";
    }

    /** The feature release in a {@code java.specification.version}: "1.8" is 8, "17" is 17; -1 if unreadable. */
    static int feature(String specificationVersion) {
        String version =
                specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int end = 0;
        while (end < version.length() && Character.isDigit(version.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 4) { // more digits than a Java release has
            return -1;
        }
        return Integer.parseInt(version.substring(0, end));
    }
}
