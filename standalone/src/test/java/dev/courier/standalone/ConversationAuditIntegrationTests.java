package dev.courier.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

import dev.courier.fanout.FanoutWorkerApplication;
import dev.courier.system.CourierSystem;
import dev.courier.testinfra.CourierInfrastructure;
import dev.courier.testinfra.Infrastructure;
import dev.courier.testinfra.JavaProcess;
import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Conversation states are exact after any mix of sends, recalls, reads on several devices, membership changes and redeliveries,
 * across a {@code kill -9} of the fanout-worker in the middle (both stages, in a JVM of their own, so a batch dies
 * between its database commit and its offset commit and is redelivered). Random operations through the public API,
 * then every state of every user is audited against the stored messages themselves: {@code lastConvSeq}, the last
 * message, {@code readSeq} (the highest accepted read or own message), {@code unread} (the visible messages of others
 * after it), {@code peerReadSeq}, and the unread total of each user.
 */
class ConversationAuditIntegrationTests {

    private static final int USERS = 5;

    private static final int OPERATIONS = 360;

    private final Api api = TestSystem.api();

    private final JdbcClient jdbc;

    /** The highest convSeq each user's accepted reads asked for, by user and conversation. */
    private final Map<String, Map<String, Long>> reads = new HashMap<>();

    ConversationAuditIntegrationTests() {
        Infrastructure infrastructure = CourierInfrastructure.shared();
        jdbc = JdbcClient.create(new DriverManagerDataSource(
                infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword()));
    }

    @Test
    void everyStateIsExactAfterRandomSendsReadsAndMembershipChangesAcrossAKill9() {
        Random random = new Random(20261201L);
        List<Api.Session> users = new ArrayList<>();
        Map<String, List<Api.Session>> devices = new LinkedHashMap<>();
        for (int i = 0; i < USERS; i++) {
            Api.Session phone = api.newUser("audit" + i);
            users.add(phone);
            devices.put(phone.userId(), List.of(phone, api.device(phone.userId(), "laptop")));
        }
        String groupId = Api.uniqueId("audit-g");
        List<String> members = List.of(
                users.get(1).userId(), users.get(2).userId(), users.get(3).userId());
        assertThat(api.createGroup(users.get(0), groupId, "Audit", members).status())
                .isEqualTo(201);
        String group = "g:" + groupId;
        List<String> groupMembers = new ArrayList<>(members);
        groupMembers.add(users.get(0).userId());

        CourierSystem system = TestSystem.get();
        system.stop(CourierSystem.FANOUT_WORKER);
        JavaProcess worker = startWorker();
        JavaProcess restarted = null;
        try {
            for (int op = 0; op < OPERATIONS; op++) {
                if (op == 100) {
                    assertThat(api.addMembers(
                                            users.get(0),
                                            groupId,
                                            List.of(users.get(4).userId()))
                                    .status())
                            .isEqualTo(202);
                    groupMembers.add(users.get(4).userId());
                } else if (op == 180) {
                    // in the middle of everything: the fanout-worker dies with whatever batch it holds
                    worker.kill();
                    restarted = startWorker();
                } else if (op == 250) {
                    assertThat(api.removeMember(
                                            users.get(0), groupId, users.get(3).userId())
                                    .status())
                            .isEqualTo(202);
                    groupMembers.remove(users.get(3).userId());
                }
                Api.Session user = users.get(random.nextInt(USERS));
                String conversation;
                String to;
                if (groupMembers.contains(user.userId()) && random.nextInt(3) == 0) {
                    conversation = group;
                    to = group;
                } else {
                    Api.Session other = users.get(random.nextInt(USERS));
                    if (other.equals(user)) {
                        continue;
                    }
                    conversation = direct(user, other);
                    to = "u:" + other.userId();
                }
                // the last user only reads: its states pile up unread, and its reads count them
                int roll = random.nextInt(10);
                if (roll < 6 && user != users.get(USERS - 1)) {
                    send(user, to);
                } else if (roll == 6 && user != users.get(USERS - 1)) {
                    recallOne(user, conversation, random);
                } else {
                    List<Api.Session> sessions = devices.get(user.userId());
                    read(sessions.get(random.nextInt(sessions.size())), conversation, random, false);
                }
            }
            // last, a read part of the way into each conversation, so that states end on a count after a read
            for (Api.Session user : users) {
                for (String conversation : conversationsOf(user)) {
                    read(devices.get(user.userId()).get(1), conversation, random, true);
                }
            }
            JavaProcess running = restarted;
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        assertThat(running.isAlive()).isTrue();
                        for (Api.Session user : users) {
                            audit(user);
                        }
                    });
        } finally {
            worker.close();
            if (restarted != null) {
                restarted.close();
            }
            system.start(CourierSystem.FANOUT_WORKER);
        }
    }

    private static JavaProcess startWorker() {
        List<String> args = new ArrayList<>(CourierInfrastructure.shared().springArguments());
        args.add("--server.port=0");
        JavaProcess worker = JavaProcess.start(FanoutWorkerApplication.class.getName(), args);
        await().atMost(Duration.ofSeconds(90)).until(() -> worker.output().contains("Started"));
        return worker;
    }

    private void send(Api.Session from, String to) {
        String clientMsgId = Api.uniqueId("a");
        // a careful client: the same clientMsgId until accepted (503 while Kafka is busy is retried)
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Api.Response response = api.send(from, clientMsgId, to, "audit " + clientMsgId);
            assertThat(response.status()).as(response.body().toString()).isIn(202, 503, 403);
            return response.status() != 503;
        });
    }

    /** Recalls one of the user's own messages of the conversation that the pipeline stored, if there is one. */
    private void recallOne(Api.Session user, String conversation, Random random) {
        List<String> own = jdbc.sql("""
                        SELECT message_id FROM messages WHERE conversation_id = ? AND sender_id = ? AND kind = 'text'
                          AND recalled_at IS NULL ORDER BY conv_seq
                        """)
                .params(conversation, user.userId())
                .query(String.class)
                .list();
        if (!own.isEmpty()) {
            Api.Response recalled = api.recall(user, own.get(random.nextInt(own.size())));
            assertThat(recalled.status()).as(recalled.body().toString()).isEqualTo(202);
        }
    }

    private void read(Api.Session device, String conversation, Random random, boolean partly) {
        Api.Response state = api.conversation(device, conversation);
        if (state.status() == 404) {
            return; // nothing of it reached this user yet
        }
        long last = state.body().path("lastConvSeq").asLong();
        long readSeq = state.body().path("readSeq").asLong();
        long convSeq;
        if (partly) {
            // strictly between the present position and the last message, where there is room
            if (last - readSeq < 2) {
                return;
            }
            convSeq = readSeq + 1 + random.nextLong(last - readSeq - 1);
        } else {
            convSeq = random.nextBoolean() ? last : random.nextLong(last + 1);
        }
        Api.Response read = api.read(device, conversation, convSeq);
        assertThat(read.status()).as(read.body().toString()).isEqualTo(202);
        reads.computeIfAbsent(device.userId(), user -> new HashMap<>()).merge(conversation, convSeq, Math::max);
    }

    private List<String> conversationsOf(Api.Session user) {
        return jdbc.sql("""
                        SELECT DISTINCT m.conversation_id FROM inbox i JOIN messages m ON m.message_id = i.message_id
                        WHERE i.user_id = ?
                        """).param(user.userId()).query(String.class).list();
    }

    /** Every state of the user against the stored messages and the reads the user made. */
    private void audit(Api.Session user) {
        Map<String, JsonNode> states = new HashMap<>();
        api.conversations(user, "limit=200")
                .body()
                .path("conversations")
                .forEach(state -> states.put(state.path("conversation").asString(), state));
        List<String> conversations =
                jdbc.sql("""
                        SELECT DISTINCT m.conversation_id FROM inbox i JOIN messages m ON m.message_id = i.message_id
                        WHERE i.user_id = ?
                        """).param(user.userId()).query(String.class).list();
        assertThat(states.keySet()).containsExactlyInAnyOrderElementsOf(conversations);
        long unreadTotal = 0;
        for (String conversation : conversations) {
            List<Visible> visible = visible(user.userId(), conversation);
            JsonNode state = states.get(conversation);
            Visible last = visible.stream()
                    .filter(m -> !m.kind().equals("recall"))
                    .reduce((first, second) -> second)
                    .orElseThrow();
            long lastConvSeq = visible.getLast().convSeq();
            long readSeq = Math.max(
                    reads.getOrDefault(user.userId(), Map.of()).getOrDefault(conversation, 0L),
                    visible.stream()
                            .filter(m ->
                                    m.from().equals(user.userId()) && m.kind().equals("text"))
                            .mapToLong(Visible::convSeq)
                            .max()
                            .orElse(0));
            long unread = visible.stream()
                    .filter(m -> m.convSeq() > readSeq
                            && !m.from().equals(user.userId())
                            && m.kind().equals("text")
                            && !m.recalled())
                    .count();
            assertThat(state.path("lastConvSeq").asLong())
                    .as(conversation + " lastConvSeq")
                    .isEqualTo(lastConvSeq);
            assertThat(state.path("lastMessage").path("messageId").asString())
                    .as(conversation + " lastMessage")
                    .isEqualTo(last.messageId());
            assertThat(state.path("readSeq").asLong())
                    .as(conversation + " readSeq")
                    .isEqualTo(readSeq);
            assertThat(state.path("unread").asLong())
                    .as(conversation + " unread")
                    .isEqualTo(unread);
            if (conversation.startsWith("d:")) {
                String peer = conversation
                        .substring(2)
                        .replace(":" + user.userId(), "")
                        .replace(user.userId() + ":", "");
                List<Visible> all = visible(peer, conversation);
                long peerRead = Math.max(
                        reads.getOrDefault(peer, Map.of()).getOrDefault(conversation, 0L),
                        all.stream()
                                .filter(m -> m.from().equals(peer) && m.kind().equals("text"))
                                .mapToLong(Visible::convSeq)
                                .max()
                                .orElse(0));
                assertThat(state.path("peerReadSeq").asLong())
                        .as(conversation + " peerReadSeq")
                        .isEqualTo(peerRead);
            }
            unreadTotal += unread;
        }
        assertThat(jdbc.sql("SELECT COALESCE(MAX(unread_total), 0) FROM inbox_heads WHERE user_id = ?")
                        .param(user.userId())
                        .query(Long.class)
                        .single())
                .as(user.userId() + " unread total")
                .isEqualTo(unreadTotal);
    }

    private record Visible(long convSeq, String messageId, String from, String kind, boolean recalled) {}

    /** The messages of the conversation the user may see, by the members stored with each, in convSeq order. */
    private List<Visible> visible(String userId, String conversation) {
        String visibility = conversation.startsWith("g:") ? """
                  AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ? AND gm.user_id = ?
                              AND gm.joined_version <= m.members_version
                              AND (gm.left_version IS NULL OR gm.left_version > m.members_version))
                  """ : "";
        var query = jdbc.sql("SELECT conv_seq, message_id, sender_id, kind, recalled_at FROM messages m "
                        + "WHERE conversation_id = ? AND conv_seq IS NOT NULL " + visibility + " ORDER BY conv_seq")
                .param(conversation);
        if (conversation.startsWith("g:")) {
            query = query.param(conversation.substring(2)).param(userId);
        }
        return query.query((rs, row) -> new Visible(
                        rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getObject(5) != null))
                .list();
    }

    private static String direct(Api.Session one, Api.Session other) {
        return one.userId().compareTo(other.userId()) < 0
                ? "d:" + one.userId() + ":" + other.userId()
                : "d:" + other.userId() + ":" + one.userId();
    }
}
