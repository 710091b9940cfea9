package dev.courier.bench;

import java.nio.file.Path;

import dev.courier.embedded.EmbeddedKafka;
import dev.courier.embedded.EmbeddedMariaDb;
import dev.courier.embedded.EmbeddedRedis;
import dev.courier.migrations.Migrator;

/**
 * The benchmark's servers in a process of their own (role {@code infra}): embedded Kafka in this JVM, MariaDB and
 * Redis as its child processes, on free ports, the schema migrated. Prints one line
 * {@code READY <kafka> <jdbc url> <user> <password> <redis url>} and runs until standard input closes.
 */
final class Infra {

    static final String READY = "READY ";

    private Infra() {}

    static void main(String[] args) throws Exception {
        Path dataDir = args.length > 0 ? Path.of(args[0]) : null;
        EmbeddedMariaDb db = EmbeddedMariaDb.start(dataDir == null ? null : dataDir.resolve("mariadb"), 0, "courier");
        EmbeddedRedis redis = EmbeddedRedis.start(0);
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir == null ? null : dataDir.resolve("kafka"), 0);
        Migrator.migrate(db.jdbcUrl(), db.username(), db.password());
        System.out.println(READY + kafka.bootstrapServers() + " " + db.jdbcUrl() + " " + db.username() + " "
                + db.password() + " " + redis.url());
        System.out.flush();
        ParentWatch.exitWhenStdinCloses();
        Thread.currentThread().join();
    }
}
