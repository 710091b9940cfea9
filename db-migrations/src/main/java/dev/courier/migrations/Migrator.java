package dev.courier.migrations;

import java.util.HashMap;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies Courier's migrations to a MySQL 8.4 or MariaDB 11 database. Services never run DDL: operators (and
 * docker-compose's one-shot service) run this before starting them, the standalone launcher and the tests call
 * {@link #migrate(String, String, String)}.
 *
 * <pre>
 * java -jar db-migrations-exec.jar --url=jdbc:mysql://host:3306/courier --user=courier --password=secret
 * </pre>
 * Each option falls back to the environment variables {@code COURIER_DB_URL}, {@code COURIER_DB_USER} and
 * {@code COURIER_DB_PASSWORD}.
 */
public final class Migrator {

    private static final Logger log = LoggerFactory.getLogger(Migrator.class);

    private Migrator() {}

    public static MigrateResult migrate(String url, String user, String password) {
        Flyway flyway = Flyway.configure()
                .dataSource(url, user, password)
                .locations("classpath:db/migration")
                .connectRetries(10)
                .load();
        MigrateResult result = flyway.migrate();
        log.info(
                "Schema at version {} ({} migrations applied now)",
                result.targetSchemaVersion != null
                        ? result.targetSchemaVersion
                        : flyway.info().current().getVersion(),
                result.migrationsExecuted);
        return result;
    }

    public static void main(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                log.info("usage: --url=jdbc:mysql://host:port/db --user=USER --password=PASSWORD"
                        + " (or COURIER_DB_URL, COURIER_DB_USER, COURIER_DB_PASSWORD)");
                return;
            }
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("unknown argument " + arg + "; try --help");
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        String url = option(options, "url", "COURIER_DB_URL", null);
        String user = option(options, "user", "COURIER_DB_USER", "courier");
        String password = option(options, "password", "COURIER_DB_PASSWORD", "");
        if (url == null) {
            throw new IllegalArgumentException("no database: pass --url=jdbc:mysql://... or set COURIER_DB_URL");
        }
        migrate(url, user, password);
    }

    private static String option(Map<String, String> options, String name, String env, String fallback) {
        String value = options.get(name);
        if (value == null) {
            value = System.getenv(env);
        }
        return value != null ? value : fallback;
    }
}
