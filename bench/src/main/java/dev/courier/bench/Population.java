package dev.courier.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import dev.courier.common.AccessTokens;

/**
 * The benchmark's users. Accounts and their device are written to the database directly, with a real password hash:
 * creating thousands through {@code POST /v1/accounts} and {@code /v1/sessions} would spend minutes of the two cores
 * on BCrypt, which measures nothing a chat workload does. Tokens are issued with the services' secret, exactly as a
 * login issues them. Groups are created through the gateway's API.
 */
final class Population {

    static final String DEVICE = "bench";

    static final String PASSWORD = "bench-password";

    private final Cluster.Servers servers;

    private final AccessTokens tokens;

    private final String run;

    private final Map<String, String> issued = new ConcurrentHashMap<>();

    Population(Cluster.Servers servers, String tokenSecret, String run) {
        this.servers = servers;
        this.tokens = new AccessTokens(tokenSecret, Duration.ofHours(24), Clock.systemUTC());
        this.run = run;
    }

    /** Creates {@code count} users named {@code b<run>-<prefix><i>}. */
    List<String> users(String prefix, int count) throws SQLException {
        List<String> users = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            users.add("b" + run + "-" + prefix + i);
        }
        String hash = new BCryptPasswordEncoder().encode(PASSWORD);
        long now = System.currentTimeMillis();
        try (Connection db = DriverManager.getConnection(servers.jdbcUrl(), servers.dbUser(), servers.dbPassword())) {
            db.setAutoCommit(false);
            for (int from = 0; from < users.size(); from += 500) {
                List<String> chunk = users.subList(from, Math.min(users.size(), from + 500));
                try (PreparedStatement accounts = db.prepareStatement("INSERT INTO accounts (user_id, display_name,"
                                + " password_hash, created_at) VALUES " + tuples(chunk.size(), "(?, ?, ?, ?)"));
                        PreparedStatement devices = db.prepareStatement("INSERT INTO devices (user_id, device_id,"
                                + " created_at, last_login_at) VALUES " + tuples(chunk.size(), "(?, ?, ?, ?)"))) {
                    int a = 1;
                    int d = 1;
                    for (String user : chunk) {
                        accounts.setString(a++, user);
                        accounts.setString(a++, user);
                        accounts.setString(a++, hash);
                        accounts.setLong(a++, now);
                        devices.setString(d++, user);
                        devices.setString(d++, DEVICE);
                        devices.setLong(d++, now);
                        devices.setLong(d++, now);
                    }
                    accounts.executeUpdate();
                    devices.executeUpdate();
                }
            }
            db.commit();
        }
        return users;
    }

    /** Gives each user's device a webhook push token ({@code push-<user>}), as {@code PUT /v1/devices/current/push} does. */
    void pushTokens(List<String> users) throws SQLException {
        long now = System.currentTimeMillis();
        try (Connection db = DriverManager.getConnection(servers.jdbcUrl(), servers.dbUser(), servers.dbPassword())) {
            db.setAutoCommit(false);
            for (int from = 0; from < users.size(); from += 500) {
                List<String> chunk = users.subList(from, Math.min(users.size(), from + 500));
                try (PreparedStatement tokens = db.prepareStatement(
                        "INSERT INTO device_push_tokens (user_id," + " device_id, provider, token, updated_at) VALUES "
                                + tuples(chunk.size(), "(?, ?, ?, ?, ?)"))) {
                    int t = 1;
                    for (String user : chunk) {
                        tokens.setString(t++, user);
                        tokens.setString(t++, DEVICE);
                        tokens.setString(t++, "webhook");
                        tokens.setString(t++, "push-" + user);
                        tokens.setLong(t++, now);
                    }
                    tokens.executeUpdate();
                }
            }
            db.commit();
        }
    }

    String token(String user) {
        return issued.computeIfAbsent(user, u -> tokens.issue(u, DEVICE).token());
    }

    /** Creates a group through the gateway, owned by the first member. */
    String group(URI gateway, String groupId, List<String> members) throws IOException {
        StringBuilder body = new StringBuilder("{\"groupId\":\"")
                .append(groupId)
                .append("\",\"name\":\"")
                .append(groupId)
                .append("\",\"members\":[");
        for (int i = 1; i < members.size(); i++) {
            body.append(i > 1 ? "," : "").append('"').append(members.get(i)).append('"');
        }
        body.append("]}");
        try (MiniHttp http = new MiniHttp(gateway)) {
            MiniHttp.Response answer = http.post(
                    "/v1/groups", token(members.getFirst()), body.toString().getBytes(StandardCharsets.UTF_8));
            if (answer.status() != 201) {
                throw new IOException("group " + groupId + ": " + answer.status() + " " + answer.text());
            }
        }
        return groupId;
    }

    String groupId(String name) {
        return "b" + run + "-" + name;
    }

    private static String tuples(int count, String tuple) {
        return String.join(", ", Collections.nCopies(count, tuple));
    }
}
