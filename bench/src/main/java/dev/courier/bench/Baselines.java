package dev.courier.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.node.StringNode;

import dev.courier.common.ConversationId;
import dev.courier.common.ConversationRecord;
import dev.courier.common.MessageId;
import dev.courier.common.Records;

/**
 * The limits of the components underneath, measured on the same servers in the same run, each with the shape of work
 * Courier gives it: Kafka with the gateway's producer settings and a real record; the database with the inbox's table
 * shape and the inbox writer's batches; Redis PUBLISH of a hint; HTTP on the gateway's server stack.
 */
final class Baselines {

    static final String KAFKA = "baseline: Kafka producer";

    static final String JDBC = "baseline: JDBC multi-row INSERT";

    static final String REDIS = "baseline: Redis PUBLISH";

    static final String HTTP = "baseline: HTTP endpoint";

    static final String WEBHOOK = "baseline: webhook receiver";

    private final Cluster.Servers servers;

    private final double seconds;

    Baselines(Cluster.Servers servers, double seconds) {
        this.servers = servers;
        this.seconds = seconds;
    }

    /**
     * A single producer, as in the gateway ({@code acks=all}, idempotence, {@code linger.ms=1}, 5 in flight per
     * connection), sending records exactly like the gateway's with {@code concurrency} sends awaiting their
     * acknowledgement at any time, as {@code concurrency} HTTP clients each waiting for its answer would.
     */
    Run kafka(int concurrency, int textBytes, int partitions) throws Exception {
        Run run = new Run(KAFKA);
        String topic = "courier.bench.baseline";
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka());
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", servers.kafka()))) {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        }
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        String text = "x".repeat(textBytes);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            timed(run, concurrency, (n, done) -> {
                String conversation = ConversationId.direct("bench-sender-" + n % 100, "bench-recipient-" + n % 100)
                        .value();
                String value = Records.encode(new ConversationRecord.MessagePosted(
                        MessageId.forSend("bench-sender", "c" + n),
                        "c" + n,
                        conversation,
                        "bench-sender-" + n % 100,
                        "text",
                        StringNode.valueOf(text),
                        Instant.now(),
                        null));
                producer.send(new ProducerRecord<>(topic, conversation, value), (metadata, failure) -> done.run());
            });
        }
        return run;
    }

    /**
     * {@code writers} threads, each inserting batches of {@code batchRows} rows (statements of 500 rows, one
     * transaction per batch) into a copy of the inbox table (same columns, keys and indexes), many users per batch
     * with increasing seqs, as the inbox writer does.
     */
    Run jdbc(int writers, int batchRows, int users) throws Exception {
        Run run = new Run(JDBC);
        String table = "bench_inbox_baseline";
        try (Connection db = connect();
                Statement ddl = db.createStatement()) {
            ddl.execute("DROP TABLE IF EXISTS " + table);
            ddl.execute("CREATE TABLE " + table + " LIKE inbox");
        }
        AtomicLong seq = new AtomicLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        Thread[] threads = new Thread[writers];
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads[w] = Thread.ofPlatform().name("bench-jdbc-" + w).start(() -> {
                try (Connection db = connect()) {
                    db.setAutoCommit(false);
                    String insert = "INSERT INTO " + table + " (user_id, seq, message_id, created_at) VALUES "
                            + String.join(", ", Collections.nCopies(500, "(?, ?, ?, ?)"));
                    try (PreparedStatement statement = db.prepareStatement(insert)) {
                        while (System.nanoTime() < deadline) {
                            long started = System.nanoTime();
                            for (int done = 0; done < batchRows; done += 500) {
                                long next = seq.getAndAdd(500);
                                int p = 1;
                                for (int r = 0; r < 500; r++) {
                                    long n = next + r;
                                    statement.setString(p++, "bench-user-" + writer + "-" + n % users);
                                    statement.setLong(p++, n / users + 1);
                                    statement.setString(
                                            p++,
                                            "m" + Long.toString(n, 32) + "q"
                                                    + Long.toString(
                                                            ThreadLocalRandom.current()
                                                                            .nextLong()
                                                                    >>> 4,
                                                            32));
                                    statement.setLong(p++, System.currentTimeMillis());
                                }
                                statement.executeUpdate();
                            }
                            db.commit();
                            run.rows.addAndGet(batchRows);
                            run.record("batch commit", (System.nanoTime() - started) / 1_000);
                        }
                    }
                } catch (Exception e) {
                    run.note(e.toString());
                }
            });
        }
        long start = System.nanoTime();
        for (Thread thread : threads) {
            thread.join();
        }
        run.figures.put("rows/s", run.rows.get() / ((System.nanoTime() - start) / 1e9));
        run.figures.put("writers", writers);
        run.figures.put("rows per transaction", batchRows);
        try (Connection db = connect();
                Statement ddl = db.createStatement()) {
            ddl.execute("DROP TABLE " + table);
        }
        return run;
    }

    /** PUBLISH of a hint-sized payload to per-user channels, {@code concurrency} commands in flight. */
    Run redis(int concurrency) throws Exception {
        Run run = new Run(REDIS);
        RedisClient client = RedisClient.create(servers.redisUrl());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisAsyncCommands<String, String> redis = connection.async();
            timed(
                    run,
                    concurrency,
                    (n, done) -> redis.publish("courier:hint:bench-baseline-" + n % 1000, Long.toString(n))
                            .whenComplete((receivers, failure) -> done.run()));
        } finally {
            client.shutdown();
        }
        return run;
    }

    /** The echo endpoint, driven like the gateway: {@code connections} clients in a closed loop, the same body. */
    Run http(URI echo, int connections, int textBytes) {
        Run run = new Run(HTTP);
        String text = "x".repeat(textBytes);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicLong ids = new AtomicLong();
        long start = System.nanoTime();
        Thread[] threads = new Thread[connections];
        for (int c = 0; c < connections; c++) {
            threads[c] = Thread.ofVirtual().start(() -> {
                try (MiniHttp http = new MiniHttp(echo)) {
                    while (System.nanoTime() < deadline) {
                        byte[] body = ("{\"clientMsgId\":\"e" + ids.incrementAndGet() + "\",\"to\":\"u:bench\","
                                        + "\"kind\":\"text\",\"content\":\"" + text + "\"}")
                                .getBytes(StandardCharsets.UTF_8);
                        long sent = Run.nowMicros();
                        MiniHttp.Response answer = http.post("/v1/echo", null, body);
                        if (answer.status() == 202) {
                            run.accepted(sent);
                        } else {
                            run.note("HTTP " + answer.status() + " " + answer.text());
                        }
                    }
                } catch (Exception e) {
                    run.note(e.toString());
                }
            });
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        run.figures.put("requests/s", run.accepted.get() / ((System.nanoTime() - start) / 1e9));
        return run;
    }

    /**
     * The push scenario's webhook receiver hit directly: {@code connections} clients POSTing signed pushes of the
     * contract's shape, each waiting for its answer, as fast as it answers. Its requests/s bound the pushes/s any
     * sender could reach on this machine.
     */
    Run webhook(WebhookSink sink, int connections) {
        Run run = new Run(WEBHOOK);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicLong ids = new AtomicLong();
        long start = System.nanoTime();
        Thread[] threads = new Thread[connections];
        for (int c = 0; c < connections; c++) {
            threads[c] = Thread.ofVirtual().start(() -> {
                try (MiniHttp http = new MiniHttp(sink.url())) {
                    while (System.nanoTime() < deadline) {
                        long n = ids.incrementAndGet();
                        byte[] body = ("{\"userId\":\"bench-" + n % 1000
                                        + "\",\"deviceId\":\"bench\",\"token\":\"push-bench-"
                                        + n % 1000 + "\",\"seq\":" + n + ",\"badge\":1,\"conversation\":\"d:a:bench-"
                                        + n % 1000
                                        + "\",\"messageId\":\"m" + n + "\"}")
                                .getBytes(StandardCharsets.UTF_8);
                        long sent = Run.nowMicros();
                        MiniHttp.Response answer = http.exchange(
                                "POST", WebhookSink.PATH, null, body, "Courier-Signature: " + sink.signature(body));
                        if (answer.status() == 204) {
                            run.accepted(sent);
                        } else {
                            run.note("HTTP " + answer.status() + " " + answer.text());
                        }
                    }
                } catch (Exception e) {
                    run.note(e.toString());
                }
            });
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        run.figures.put("requests/s", run.accepted.get() / ((System.nanoTime() - start) / 1e9));
        return run;
    }

    private interface Operation {
        void start(long n, Runnable done) throws Exception;
    }

    /** Starts operations for {@code seconds}, at most {@code concurrency} unfinished at once. */
    private void timed(Run run, int concurrency, Operation operation) throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        for (long n = 0; System.nanoTime() < deadline; n++) {
            inFlight.acquire();
            long sent = Run.nowMicros();
            operation.start(n, () -> {
                run.accepted(sent);
                inFlight.release();
            });
        }
        inFlight.acquire(concurrency);
        run.figures.put("operations/s", run.accepted.get() / ((System.nanoTime() - start) / 1e9));
        run.figures.put("in flight", concurrency);
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(servers.jdbcUrl(), servers.dbUser(), servers.dbPassword());
    }
}
