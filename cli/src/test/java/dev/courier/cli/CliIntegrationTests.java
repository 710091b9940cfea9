package dev.courier.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.courier.system.CourierSystem;
import dev.courier.testinfra.CourierInfrastructure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The terminal client end to end: its main, in-process, against the real system. */
class CliIntegrationTests {

    private static CourierSystem system;

    @TempDir
    Path aliceState;

    @TempDir
    Path bobState;

    private final String alice = uniqueId("alice");

    private final String bob = uniqueId("bob");

    @BeforeAll
    static void startCourier() {
        system = CourierSystem.start(CourierInfrastructure.shared().springArguments(), 0, 0, List.of());
        Runtime.getRuntime().addShutdownHook(new Thread(system::close, "stop-courier"));
    }

    private record Run(int exitCode, String out, String err) {

        List<String> lines() {
            return out.lines().toList();
        }
    }

    @Test
    void sendAndTailWorkEndToEndAndTailResumesWhereItLeftOff() throws Exception {
        assertThat(signUp(aliceState, alice).out()).contains("Signed up and logged in as " + alice);
        assertThat(signUp(bobState, bob).exitCode()).isZero();

        CompletableFuture<Run> tail =
                CompletableFuture.supplyAsync(() -> cli(bobState, "tail", "--count", "2", "--timeout", "60s"));
        Run first = cli(aliceState, "send", bob, "hello", "bob");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("Sent ");
        assertThat(cli(aliceState, "send", "u:" + bob, "second message").exitCode())
                .isZero();

        Run tailed = tail.get(90, TimeUnit.SECONDS);
        assertThat(tailed.exitCode()).as(tailed.err()).isZero();
        assertThat(tailed.lines()).hasSize(2);
        assertThat(tailed.lines().get(0)).endsWith(" d:" + conversation() + " " + alice + ": hello bob");
        assertThat(tailed.lines().get(1)).endsWith(alice + ": second message");

        // the next tail continues from the stored sync key: only what is new
        assertThat(cli(aliceState, "send", bob, "third").exitCode()).isZero();
        Run resumed = cli(bobState, "tail", "--count", "1", "--timeout", "60s");
        assertThat(resumed.lines()).singleElement().asString().endsWith(alice + ": third");
        assertThat(Files.readString(bobState.resolve("sync-key"))).isNotBlank();
    }

    @Test
    void groupsCanBeManagedAndTheirMessagesTailed() throws Exception {
        signUp(aliceState, alice);
        signUp(bobState, bob);
        String group = uniqueId("team");

        Run created = cli(aliceState, "group", "create", group, "The team");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).contains("Created g:" + group);
        assertThat(cli(aliceState, "group", "add", group, bob).out()).contains("Added " + bob + " to g:" + group);
        assertThat(cli(aliceState, "send", "g:" + group, "welcome").exitCode()).isZero();
        Run removed = cli(aliceState, "group", "remove", group, bob);
        assertThat(removed.out()).contains("Removed " + bob);
        Run refused = cli(bobState, "group", "remove", group, alice);
        assertThat(refused.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(refused.err()).contains("forbidden");

        Run tailed = cli(bobState, "tail", "--count", "1", "--timeout", "60s");
        assertThat(tailed.lines()).singleElement().asString().endsWith(" g:" + group + " " + alice + ": welcome");
    }

    @Test
    void chatSendsEveryLineTypedAndShowsBothSides() throws Exception {
        signUp(aliceState, alice);
        signUp(bobState, bob);
        Run chat = cli(
                aliceState,
                new ByteArrayInputStream("hi bob\nhow are you?\n".getBytes(StandardCharsets.UTF_8)),
                "chat",
                bob);
        assertThat(chat.exitCode()).as(chat.err()).isZero();

        Run tailed = cli(bobState, "tail", "--count", "2", "--timeout", "60s");
        assertThat(tailed.lines()).hasSize(2);
        assertThat(tailed.lines().get(0)).endsWith(alice + ": hi bob");
        assertThat(tailed.lines().get(1)).endsWith(alice + ": how are you?");
    }

    @Test
    void conversationsReadAndHistoryShowUnreadCountsMarkReadAndScrollBack() {
        signUp(aliceState, alice);
        signUp(bobState, bob);
        assertThat(cli(bobState, "conversations").out()).contains("No conversations yet");
        for (String text : List.of("one", "two", "three")) {
            assertThat(cli(aliceState, "send", bob, text).exitCode()).isZero();
        }
        String direct = "d:" + conversation();

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(cli(bobState, "conversations").lines())
                        .singleElement()
                        .asString()
                        .startsWith(direct)
                        .contains("   3 unread")
                        .endsWith(" " + alice + ": three"));
        // sending marked it read for alice
        assertThat(cli(aliceState, "conversations").lines())
                .singleElement()
                .asString()
                .doesNotContain("unread");

        Run read = cli(bobState, "read", alice, "2");
        assertThat(read.exitCode()).as(read.err()).isZero();
        assertThat(read.out()).contains("Read " + direct + " up to 2");
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> assertThat(cli(bobState, "conversations").out()).contains("   1 unread"));
        assertThat(cli(bobState, "mute", "u:" + alice).out()).contains("Muted " + direct);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> assertThat(cli(bobState, "conversations").out()).contains("   1 unread  muted"));
        assertThat(cli(bobState, "read", direct).out()).contains("Read " + direct + " up to 3");
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(cli(bobState, "conversations").out())
                        .doesNotContain("unread")
                        .contains("muted"));

        Run newest = cli(bobState, "history", alice, "--limit", "2");
        assertThat(newest.exitCode()).as(newest.err()).isZero();
        assertThat(newest.lines()).hasSize(3);
        assertThat(newest.lines().get(0)).startsWith("#2 ").endsWith(" " + alice + ": two");
        assertThat(newest.lines().get(1)).startsWith("#3 ").endsWith(" " + alice + ": three");
        assertThat(newest.lines().get(2)).isEqualTo("-- older: courier history " + direct + " --before 2 --");
        Run older = cli(bobState, "history", direct, "--before", "2");
        assertThat(older.lines()).singleElement().asString().startsWith("#1 ").endsWith(" " + alice + ": one");

        Run beyond = cli(bobState, "read", alice, "4");
        assertThat(beyond.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(beyond.err()).contains("convSeq:", "400 invalid_request");
        Run stranger = cli(bobState, "history", "g:" + uniqueId("nowhere"));
        assertThat(stranger.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(stranger.err()).contains("404 not_found");
        assertThat(cli(bobState, "read", alice, "x").exitCode()).isEqualTo(CourierCli.USAGE);
        assertThat(cli(bobState, "history", "g:Not-An-Id").exitCode()).isEqualTo(CourierCli.USAGE);
    }

    @Test
    void pushSetAndClearRegisterAndRemoveThisDevicesToken() throws Exception {
        Run signedUp = cli(
                aliceState,
                "--gateway",
                gateway(),
                "--sync",
                sync(),
                "signup",
                alice,
                "--password",
                "password-" + alice,
                "--device",
                "cli");
        assertThat(signedUp.exitCode()).as(signedUp.err()).isZero();
        Run set = cli(aliceState, "push", "set", "webhook", "alice-terminal-1");
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).contains("Pushes to this device go to webhook token alice-terminal-1");
        assertThat(pushTokens(alice)).containsExactly("cli webhook alice-terminal-1");
        assertThat(cli(aliceState, "push", "set", "apns", "a1b2c3").exitCode()).isZero();
        assertThat(pushTokens(alice)).containsExactly("cli apns a1b2c3");

        Run refused = cli(aliceState, "push", "set", "gcm", "t");
        assertThat(refused.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(refused.err()).contains("400 invalid_request", "provider");
        assertThat(cli(aliceState, "push", "set", "fcm").err()).contains("missing <token>");
        assertThat(cli(aliceState, "push", "forget").exitCode()).isEqualTo(CourierCli.USAGE);
        assertThat(pushTokens(alice)).containsExactly("cli apns a1b2c3");

        Run clear = cli(aliceState, "push", "clear");
        assertThat(clear.exitCode()).as(clear.err()).isZero();
        assertThat(clear.out()).contains("No pushes to this device");
        assertThat(pushTokens(alice)).isEmpty();
    }

    /** {@code "<device> <provider> <token>"} of each of the user's stored push tokens. */
    private static List<String> pushTokens(String userId) throws java.sql.SQLException {
        var infrastructure = CourierInfrastructure.shared();
        try (var connection = java.sql.DriverManager.getConnection(
                        infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword());
                var statement = connection.prepareStatement(
                        "SELECT device_id, provider, token FROM device_push_tokens WHERE user_id = ? ORDER BY device_id")) {
            statement.setString(1, userId);
            List<String> tokens = new ArrayList<>();
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    tokens.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
                }
            }
            return tokens;
        }
    }

    @Test
    void failuresPrintTheProblemAndExitNonZero() {
        Run notLoggedIn = cli(aliceState, "send", bob, "hi");
        assertThat(notLoggedIn.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(notLoggedIn.err()).contains("not logged in");

        signUp(aliceState, alice);
        Run unknownUser = cli(aliceState, "send", "nobody-" + alice, "hi");
        assertThat(unknownUser.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(unknownUser.err()).contains("to: no user 'nobody-" + alice + "'", "404 not_found");

        Run taken = cli(
                bobState, "--gateway", gateway(), "--sync", sync(), "signup", alice, "--password", "another-password");
        assertThat(taken.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(taken.err()).contains("409 conflict");

        Run wrongPassword = cli(
                bobState, "--gateway", gateway(), "--sync", sync(), "login", alice, "--password", "not-the-password");
        assertThat(wrongPassword.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(wrongPassword.err()).contains("401 unauthenticated");

        assertThat(cli(aliceState, "frobnicate").exitCode()).isEqualTo(CourierCli.USAGE);
        assertThat(cli(aliceState, "send", bob).err()).contains("missing <text>");

        Run unreachable = cli(
                aliceState,
                "--gateway",
                "http://127.0.0.1:1",
                "--sync",
                "http://127.0.0.1:1",
                "login",
                alice,
                "--password",
                "password-" + alice,
                "--timeout",
                "1s");
        assertThat(unreachable.exitCode()).isEqualTo(CourierCli.UNREACHABLE);
        assertThat(unreachable.err()).contains("log in did not succeed within 1s");
    }

    private Run signUp(Path state, String userId) {
        Run run = cli(
                state,
                "--gateway",
                gateway(),
                "--sync",
                sync(),
                "signup",
                userId,
                "--password",
                "password-" + userId,
                "--name",
                userId.toUpperCase());
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run;
    }

    private static String gateway() {
        return "http://127.0.0.1:" + system.gatewayPort();
    }

    private static String sync() {
        return "http://127.0.0.1:" + system.syncPort();
    }

    private String conversation() {
        return alice.compareTo(bob) < 0 ? alice + ":" + bob : bob + ":" + alice;
    }

    private static Run cli(Path state, String... args) {
        return cli(state, InputStream.nullInputStream(), args);
    }

    private static Run cli(Path state, InputStream in, String... args) {
        List<String> all = new ArrayList<>(List.of("--state-dir", state.toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = CourierCli.run(
                all.toArray(String[]::new),
                in,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String uniqueId(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }
}
