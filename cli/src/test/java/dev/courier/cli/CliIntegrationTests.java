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
import java.util.Arrays;
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
        // an addition takes effect at its point in the log, a moment after the answer
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(cli(bobState, "groups").out()).contains("g:" + group));
        Run refused = cli(bobState, "group", "remove", group, alice);
        assertThat(refused.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(refused.err()).contains("403 forbidden");
        assertThat(cli(aliceState, "send", "g:" + group, "welcome").exitCode()).isZero();
        Run removed = cli(aliceState, "group", "remove", group, bob);
        assertThat(removed.out()).contains("Removed " + bob);

        // bob saw what happened while he was a member: his joining, the welcome, his removal
        Run tailed = cli(bobState, "tail", "--count", "3", "--timeout", "60s");
        assertThat(tailed.lines())
                .satisfiesExactly(
                        first -> assertThat(first).endsWith(" g:" + group + " * " + alice + " added " + bob),
                        second -> assertThat(second).endsWith(" g:" + group + " " + alice + ": welcome"),
                        third -> assertThat(third).endsWith(" g:" + group + " * " + alice + " removed " + bob));
    }

    @Test
    void groupsAreAdministeredAndEveryChangeShowsAsAnEventLine() throws Exception {
        signUp(aliceState, alice);
        signUp(bobState, bob);
        String group = uniqueId("team");
        String name = "g:" + group;
        ByteArrayOutputStream bobsScreen = new ByteArrayOutputStream();
        CompletableFuture<Integer> tail = CompletableFuture.supplyAsync(() -> CourierCli.run(
                new String[] {"--state-dir", bobState.toString(), "tail", "--count", "8", "--timeout", "90s"},
                InputStream.nullInputStream(),
                new PrintStream(bobsScreen, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));

        assertThat(cli(aliceState, "group", "create", group, "Team", bob).exitCode())
                .isZero();
        Run renamed = cli(aliceState, "group", "rename", group, "Launch", "crew");
        assertThat(renamed.exitCode()).as(renamed.err()).isZero();
        assertThat(renamed.out()).isEqualTo("Renamed " + name + " to \"Launch crew\"\n");
        assertThat(cli(aliceState, "group", "announce", group, "Friday", "10:00")
                        .out())
                .contains("Announced in " + name + ": Friday 10:00");
        assertThat(cli(aliceState, "group", "admin", group, bob).out()).contains(bob + " is an admin of " + name);
        assertThat(cli(bobState, "group", "mute", group).out())
                .contains("Muted " + name + ": only the owner and admins send");
        assertThat(cli(bobState, "group", "unmute", group).out()).contains("Unmuted " + name);
        assertThat(cli(aliceState, "group", "admin", group, bob, "--remove").out())
                .contains(bob + " is no admin of " + name);
        Run transferred = cli(aliceState, "group", "transfer", group, bob);
        assertThat(transferred.out()).contains(bob + " owns " + name + " now; you stay as an admin");

        Run info = cli(aliceState, "group", "info", group);
        assertThat(info.exitCode()).as(info.err()).isZero();
        assertThat(info.lines())
                .containsExactly(
                        name + " \"Launch crew\"",
                        "  owner:        " + bob,
                        "  admins:       " + alice,
                        "  members:      " + String.join(", ", sorted(alice, bob)) + " (2)",
                        "  announcement: Friday 10:00",
                        "  muted:        no",
                        "  version:      8");
        assertThat(cli(aliceState, "groups").lines())
                .singleElement()
                .asString()
                .startsWith(name)
                .contains("\"Launch crew\"", "2 members", "owner " + bob, "you: admin");

        // a member's mute: the muted member's sends are refused, with the reason
        Run muted = cli(bobState, "group", "mute", group, alice, "--until", "30m");
        assertThat(muted.exitCode()).as(muted.err()).isZero();
        assertThat(muted.out()).contains("Muted " + alice + " in " + name + " until ");
        Run silenced = cli(aliceState, "send", name, "may I?");
        assertThat(silenced.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(silenced.err()).contains("you are muted in " + name, "403 forbidden");
        assertThat(cli(bobState, "group", "unmute", group, alice).out()).contains("Unmuted " + alice + " in " + name);
        assertThat(cli(aliceState, "send", name, "thanks").exitCode()).isZero();

        // each refusal names its problem code: only the owner names admins, the owner cannot be muted, a
        // transfer goes to a member
        Run onlyTheOwner = cli(aliceState, "group", "admin", group, alice);
        assertThat(onlyTheOwner.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(onlyTheOwner.err()).contains("403 forbidden");
        Run theOwner = cli(aliceState, "group", "mute", group, bob);
        assertThat(theOwner.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(theOwner.err()).contains("409 conflict");
        Run noMember = cli(bobState, "group", "transfer", group, uniqueId("nobody"));
        assertThat(noMember.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(noMember.err()).contains("404 not_found");

        Run notTheOwner = cli(aliceState, "group", "dissolve", group);
        assertThat(notTheOwner.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(notTheOwner.err()).contains("403 forbidden");
        assertThat(cli(bobState, "group", "dissolve", group).out()).contains("Dissolved " + name);
        Run gone = cli(aliceState, "group", "info", group);
        assertThat(gone.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(gone.err()).contains("404 not_found");
        assertThat(cli(aliceState, "groups").out()).contains("No groups yet");
        Run dissolved = cli(bobState, "group", "rename", group, "Again");
        assertThat(dissolved.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(dissolved.err()).contains("404 not_found");

        assertThat(tail.get(90, TimeUnit.SECONDS)).isZero();
        String at = " " + name + " ";
        // the tail stops after the batch that made its count: later lines may follow the eight
        List<String> bobsLines =
                bobsScreen.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(bobsLines).hasSizeGreaterThanOrEqualTo(8);
        assertThat(bobsLines.subList(0, 8))
                .satisfiesExactly(
                        line -> assertThat(line)
                                .endsWith(at + "* " + alice + " created the group \"Team\" with " + bob),
                        line -> assertThat(line).endsWith(at + "* " + alice + " renamed the group to \"Launch crew\""),
                        line -> assertThat(line).endsWith(at + "* " + alice + " announced \"Friday 10:00\""),
                        line -> assertThat(line).endsWith(at + "* " + alice + " made " + bob + " an admin"),
                        line -> assertThat(line)
                                .endsWith(at + "* " + bob + " muted the group (only the owner and admins send)"),
                        line -> assertThat(line).endsWith(at + "* " + bob + " unmuted the group"),
                        line -> assertThat(line).endsWith(at + "* " + alice + " removed " + bob + " as admin"),
                        line -> assertThat(line).endsWith(at + "* " + alice + " made " + bob + " the owner"));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(cli(aliceState, "history", name).lines())
                        .hasSize(10)
                        .first()
                        .asString()
                        .startsWith("#1 ")
                        .endsWith(" * " + alice + " created the group \"Team\" with " + bob));
        assertThat(cli(aliceState, "history", name).lines())
                .last()
                .asString()
                .endsWith(" * " + bob + " dissolved the group");
        assertThat(cli(aliceState, "conversations").lines())
                .singleElement()
                .asString()
                .endsWith(" * " + bob + " dissolved the group");

        assertThat(cli(aliceState, "group", "mute", group, "--until", "1h").exitCode())
                .isEqualTo(CourierCli.USAGE);
        assertThat(cli(aliceState, "group", "mute", group, bob, "--until", "soon")
                        .err())
                .contains("--until: not a time");
        assertThat(cli(aliceState, "group", "rename", group).err()).contains("missing <text>");
    }

    @Test
    void aBlockedUsersDirectMessagesAreRefusedUntilUnblocked() {
        signUp(aliceState, alice);
        signUp(bobState, bob);
        assertThat(cli(bobState, "blocks").out()).contains("No one blocked");
        Run blocked = cli(bobState, "block", alice);
        assertThat(blocked.exitCode()).as(blocked.err()).isZero();
        assertThat(blocked.out()).contains("Blocked " + alice + ": their direct messages are refused");
        assertThat(cli(bobState, "blocks").lines()).containsExactly(alice);

        Run refused = cli(aliceState, "send", bob, "hello?");
        assertThat(refused.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(refused.err()).contains("403 blocked");
        assertThat(cli(bobState, "send", alice, "I can still write").exitCode()).isZero();
        Run yourself = cli(bobState, "block", bob);
        assertThat(yourself.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(yourself.err()).contains("400 invalid_request");

        assertThat(cli(bobState, "unblock", alice).out()).contains("Unblocked " + alice);
        assertThat(cli(bobState, "blocks").out()).contains("No one blocked");
        assertThat(cli(aliceState, "send", bob, "hello again").exitCode()).isZero();
        assertThat(cli(bobState, "block").exitCode()).isEqualTo(CourierCli.USAGE);
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
    void replyEditReactAndRecallShowLiveInTailAndAsTheyStandInHistory() throws Exception {
        signUp(aliceState, alice);
        signUp(bobState, bob);
        ByteArrayOutputStream bobsScreen = new ByteArrayOutputStream();
        CompletableFuture<Integer> tail = CompletableFuture.supplyAsync(() -> CourierCli.run(
                new String[] {"--state-dir", bobState.toString(), "tail", "--count", "8", "--timeout", "90s"},
                InputStream.nullInputStream(),
                new PrintStream(bobsScreen, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        String coffee = sent(cli(aliceState, "send", bob, "coffee at 8?"));
        // the tail shows the question as sent before anything changes it
        await().atMost(Duration.ofSeconds(60))
                .until(() -> bobsScreen.toString(StandardCharsets.UTF_8).contains("coffee at 8?"));

        Run reply = cli(bobState, "reply", alice, coffee, "yes,", "see", "you");
        assertThat(reply.exitCode()).as(reply.err()).isZero();
        assertThat(reply.out()).startsWith("Sent ").contains("(a reply to " + coffee + ")");
        Run edit = cli(aliceState, "edit", coffee, "coffee at 9?");
        assertThat(edit.exitCode()).as(edit.err()).isZero();
        assertThat(edit.out()).contains("Edited " + coffee);
        assertThat(cli(bobState, "react", coffee, "👍").out()).contains("Reacted 👍 to " + coffee);
        String oops = sent(cli(aliceState, "send", bob, "oops, wrong chat"));
        // a sync shows a message as it stands: recalled before the tail fetched it, it would arrive recalled
        await().atMost(Duration.ofSeconds(60))
                .until(() -> bobsScreen.toString(StandardCharsets.UTF_8).contains("oops, wrong chat"));
        assertThat(cli(aliceState, "recall", oops).out()).contains("Recalled " + oops);
        assertThat(cli(bobState, "react", coffee, "🎉").exitCode()).isZero();
        assertThat(cli(bobState, "react", "--remove", coffee, "🎉").out()).contains("Took back 🎉 from " + coffee);

        assertThat(tail.get(90, TimeUnit.SECONDS)).isZero();
        List<String> lines = bobsScreen.toString(StandardCharsets.UTF_8).lines().toList();
        String direct = " d:" + conversation() + " ";
        assertThat(lines).hasSize(8);
        assertThat(lines.get(0)).endsWith(direct + alice + ": coffee at 8?");
        assertThat(lines.get(1)).endsWith(direct + bob + ": ↪ \"coffee at 8?\" yes, see you");
        assertThat(lines.get(2)).endsWith(direct + alice + " edited \"coffee at 8?\": coffee at 9?");
        assertThat(lines.get(3)).endsWith(direct + bob + " reacted 👍 to \"coffee at 9?\"");
        assertThat(lines.get(4)).endsWith(direct + alice + ": oops, wrong chat");
        assertThat(lines.get(5)).endsWith(direct + alice + " recalled \"oops, wrong chat\"");
        assertThat(lines.get(6)).endsWith(direct + bob + " reacted 🎉 to \"coffee at 9?\"");
        assertThat(lines.get(7)).endsWith(direct + bob + " took back 🎉 from \"coffee at 9?\"");

        // history: each message as it stands now, reactions counted; entries are not listed
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(cli(bobState, "history", alice).lines())
                        .hasSize(3)
                        .satisfiesExactly(
                                first -> assertThat(first).endsWith(" " + alice + ": coffee at 9? (edited)  👍 1"),
                                second -> assertThat(second).endsWith(" " + bob + ": ↪ \"coffee at 9?\" yes, see you"),
                                third -> assertThat(third).endsWith(" " + alice + ": [message recalled]")));
        assertThat(cli(bobState, "history", alice, "--ids").lines().getFirst())
                .contains(" " + coffee + " " + alice + ": coffee at 9? (edited)");
        assertThat(cli(aliceState, "conversations").lines())
                .singleElement()
                .asString()
                .endsWith(" " + alice + ": [message recalled]");

        Run notTheSender = cli(bobState, "recall", coffee);
        assertThat(notTheSender.exitCode()).isEqualTo(CourierCli.REFUSED);
        assertThat(notTheSender.err()).contains("403 forbidden");
        assertThat(cli(aliceState, "edit", coffee).err()).contains("missing <text>");
        assertThat(cli(bobState, "react", coffee).exitCode()).isEqualTo(CourierCli.USAGE);
        assertThat(cli(bobState, "reply", "d:someone:else", coffee, "hi").exitCode())
                .isEqualTo(CourierCli.USAGE);
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

    /** The message id of a successful send: {@code Sent <messageId>}. */
    private static String sent(Run run) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Sent ");
        return run.out().strip().split(" ")[1];
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

    private static List<String> sorted(String... userIds) {
        return Arrays.stream(userIds).sorted().toList();
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
