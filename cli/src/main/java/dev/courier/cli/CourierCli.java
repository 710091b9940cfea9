package dev.courier.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import dev.courier.client.AccessToken;
import dev.courier.client.ChangeOutcome;
import dev.courier.client.ClientSettings;
import dev.courier.client.Content;
import dev.courier.client.Conversation;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.Credentials;
import dev.courier.client.Group;
import dev.courier.client.GroupUpdate;
import dev.courier.client.HistoryPage;
import dev.courier.client.Message;
import dev.courier.client.SyncKeyStore;
import dev.courier.client.SyncListener;
import dev.courier.client.SyncSubscription;

/**
 * {@code courier}: a terminal client of Courier. Exit codes: 0 done, 1 refused by the server (or not logged in), 2 a
 * wrong command line, 3 the server could not be reached in time.
 */
public final class CourierCli {

    static final int OK = 0;

    static final int REFUSED = 1;

    static final int USAGE = 2;

    static final int UNREACHABLE = 3;

    private static final String USAGE_TEXT = """
            usage: courier [--state-dir DIR] [--gateway URL] [--sync URL] <command>

              signup <userId> [--name NAME] [--password P] [--device D]   create an account and log in
              login <userId> [--password P] [--device D]                 log in (this directory is one device)
              logout                                                     forget the session and the sync key
              whoami                                                     who is logged in, and where
              send <to> <text...> [--id CLIENT_MSG_ID]                   send a text; <to> is u:<user>, g:<group>
                                                                         or just a user id
              group create <groupId> <name> [member...]                  create a group you own
              group add <groupId> <userId...>                            add members
              group remove <groupId> <userId>                            remove a member (or leave)
              group info <groupId>                                       name, owner, admins, members, announcement
              group rename <groupId> <name...>                           rename (owner or admin)
              group announce <groupId> <text...>                         set the announcement ("" clears it)
              group admin <groupId> <userId> [--remove]                  make a member an admin, or not (owner only)
              group mute <groupId> [<userId>] [--until T]                mute a member until T (ISO time or 30m,
                                                                         default: until unmuted); without a
                                                                         userId the whole group: only the owner
                                                                         and admins send
              group unmute <groupId> [<userId>]                          take a member's or the group's mute back
              group transfer <groupId> <userId>                          hand the group to a member (owner only)
              group dissolve <groupId>                                   end the group; its history stays
              groups                                                     the groups you are in
              block <userId> | unblock <userId>                          refuse a user's direct messages, or not
              blocks                                                     the users you blocked
              reply <conversation> <messageId> <text...> [--id ID]       send a text that quotes an earlier message
              recall <messageId>                                         take back a message you sent (within 2 min)
              edit <messageId> <text...>                                 replace the text of a message you sent
              react <messageId> <emoji> [--remove]                       react to a message (or take it back)
              delete <messageId>                                         hide a message on your devices only
              tail [--count N] [--ids]                                   print incoming messages as they arrive
              chat <to> [--ids]                                          tail, and send every line typed
              conversations                                              the chat list: unread counts, last messages
              read <conversation> [convSeq]                              mark read up to convSeq (default: all)
              history <conversation> [--limit N] [--before SEQ]          the last N (50) messages before SEQ, oldest first
              mute <conversation> | unmute <conversation>                mute a conversation (it still counts unread)
              push set <provider> <token> | push clear                   this device's push token (apns, fcm, webhook)

            A <conversation> is d:<a>:<b>, g:<group>, u:<user> or just a user id (your direct chat with them).
            A <messageId> is what send and reply print; --ids shows each message's id in history, tail and chat.
            Replies show the words they quote (↪ "coffee at 8?" yes), edited messages "(edited)", recalled ones
            "[message recalled]", history the reactions (👍 2); tail and chat print each change as it comes.
            A change to a group shows as an event line: * alice renamed the group to "Launch". An administration
            command answers once the change is applied, or says it is pending when the server could not tell in
            time (it takes effect all the same).

            --timeout 30s bounds any command: how long it may retry (default 60s), or how long tail and
            chat run (default: until Ctrl-C).

            The state directory (default ~/.courier-cli) keeps the session and where tail left off; the gateway
            and sync URLs (default http://127.0.0.1:8080 and http://127.0.0.1:8081) are remembered once given.
            Without --password, the password is read from COURIER_PASSWORD or asked for.
            Exit codes: 0 done, 1 refused by the server, 2 wrong command line, 3 server unreachable.
            """;

    private static final int DEFAULT_HISTORY = 50;

    private static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final Arguments arguments;

    private final InputStream in;

    private final PrintStream out;

    private final PrintStream err;

    private final CliState state;

    private final URI gateway;

    private final URI sync;

    private CourierCli(Arguments arguments, InputStream in, PrintStream out, PrintStream err) {
        this.arguments = arguments;
        this.in = in;
        this.out = out;
        this.err = err;
        String stateDir = arguments.option("state-dir");
        this.state = CliState.load(
                stateDir != null ? Path.of(stateDir) : Path.of(System.getProperty("user.home"), ".courier-cli"));
        this.gateway = url("gateway", "http://127.0.0.1:8080");
        this.sync = url("sync", "http://127.0.0.1:8081");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs one command line; returns the exit code. Used by {@link #main} and, in-process, by tests. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        try {
            Arguments arguments = Arguments.parse(args);
            if (arguments.has("help") || arguments.positional().isEmpty()) {
                out.print(USAGE_TEXT);
                return arguments.has("help") ? OK : USAGE;
            }
            return new CourierCli(arguments, in, out, err).execute();
        } catch (Arguments.UsageException e) {
            err.println("courier: " + e.getMessage() + " (courier --help shows the commands)");
            return USAGE;
        } catch (CourierException e) {
            err.println("courier: " + e.detail() + " (" + e.status() + " " + e.code() + ")");
            return REFUSED;
        } catch (NotLoggedIn e) {
            err.println("courier: " + e.getMessage());
            return REFUSED;
        } catch (IllegalArgumentException e) {
            err.println("courier: " + e.getMessage() + " (courier --help shows the commands)");
            return USAGE;
        } catch (UncheckedIOException e) {
            err.println("courier: " + e.getMessage());
            return UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("courier: interrupted");
            return UNREACHABLE;
        }
    }

    private int execute() throws InterruptedException {
        String command = arguments.required(0, "command");
        return switch (command) {
            case "signup" -> signup();
            case "login" -> login();
            case "logout" -> logout();
            case "whoami" -> whoami();
            case "send" -> send();
            case "reply" -> reply();
            case "recall" -> recall();
            case "edit" -> edit();
            case "react" -> react();
            case "delete" -> delete();
            case "group" -> group();
            case "groups" -> groups();
            case "block" -> block(true);
            case "unblock" -> block(false);
            case "blocks" -> blocks();
            case "tail" -> tail(null);
            case "chat" -> tail(address(arguments.required(1, "<to>")));
            case "conversations" -> conversations();
            case "read" -> read();
            case "history" -> history();
            case "mute" -> mute(true);
            case "unmute" -> mute(false);
            case "push" -> push();
            default -> throw new Arguments.UsageException("unknown command '" + command + "'");
        };
    }

    private int signup() {
        String userId = arguments.required(1, "<userId>");
        String password = password();
        try (CourierClient anonymous =
                CourierClient.builder(gateway, sync).settings(settings(false)).build()) {
            anonymous.createAccount(userId, password, arguments.options().getOrDefault("name", userId));
        }
        Credentials credentials = logIn(userId, password);
        out.println("Signed up and logged in as " + userId + " (device " + credentials.deviceId() + ")");
        return OK;
    }

    private int login() {
        String userId = arguments.required(1, "<userId>");
        Credentials credentials = logIn(userId, password());
        out.println("Logged in as " + userId + " (device " + credentials.deviceId() + ")");
        return OK;
    }

    private Credentials logIn(String userId, String password) {
        boolean sameUser = state.get("userId").map(userId::equals).orElse(false);
        String deviceId = arguments.option("device");
        if (deviceId == null) {
            deviceId = sameUser ? state.get("deviceId").orElse(null) : null;
        }
        if (deviceId == null) {
            deviceId = "cli-" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
        }
        Credentials credentials = new Credentials(userId, password, deviceId);
        try (CourierClient client = CourierClient.builder(gateway, sync)
                .credentials(credentials)
                .settings(settings(false))
                .build()) {
            AccessToken token = client.login();
            if (!sameUser || !deviceId.equals(state.get("deviceId").orElse(null))) {
                state.clear(); // another user or device: the stored sync key is not ours
            }
            state.set("gateway", gateway.toString());
            state.set("sync", sync.toString());
            state.set("userId", userId);
            state.set("password", password);
            state.set("deviceId", deviceId);
            state.token(token);
            state.save();
        }
        return credentials;
    }

    private int logout() {
        state.clear();
        out.println("Logged out");
        return OK;
    }

    private int whoami() {
        Credentials credentials = state.credentials().orElseThrow(NotLoggedIn::new);
        out.println(credentials.userId() + " (device " + credentials.deviceId() + ") at " + gateway + " and " + sync);
        return OK;
    }

    private int send() throws InterruptedException {
        String to = address(arguments.required(1, "<to>"));
        List<String> words = arguments.from(2);
        if (words.isEmpty()) {
            throw new Arguments.UsageException("missing <text>");
        }
        String clientMsgId = arguments.options().getOrDefault("id", CourierClient.newClientMsgId());
        try (CourierClient client = client(false)) {
            String messageId = await(client.send(clientMsgId, to, Content.text(String.join(" ", words))), clientMsgId);
            out.println("Sent " + messageId);
        }
        return OK;
    }

    /** {@code reply <conversation> <messageId> <text...>}: a send that carries {@code replyTo}. */
    private int reply() throws InterruptedException {
        String to = addressOf(arguments.required(1, "<conversation>"));
        String replyTo = arguments.required(2, "<messageId>");
        String text = text(3);
        String clientMsgId = arguments.options().getOrDefault("id", CourierClient.newClientMsgId());
        try (CourierClient client = client(false)) {
            String messageId = await(client.send(clientMsgId, to, Content.text(text), replyTo), clientMsgId);
            out.println("Sent " + messageId + " (a reply to " + replyTo + ")");
        }
        return OK;
    }

    private int recall() {
        String messageId = arguments.required(1, "<messageId>");
        try (CourierClient client = client(false)) {
            client.recall(messageId);
            out.println("Recalled " + messageId);
        }
        return OK;
    }

    private int edit() {
        String messageId = arguments.required(1, "<messageId>");
        String text = text(2);
        try (CourierClient client = client(false)) {
            client.edit(messageId, text);
            out.println("Edited " + messageId);
        }
        return OK;
    }

    /** {@code react <messageId> <emoji> [--remove]}. */
    private int react() {
        String messageId = arguments.required(1, "<messageId>");
        String emoji = arguments.required(2, "<emoji>");
        boolean remove = arguments.has("remove");
        try (CourierClient client = client(false)) {
            if (remove) {
                client.unreact(messageId, emoji);
                out.println("Took back " + emoji + " from " + messageId);
            } else {
                client.react(messageId, emoji);
                out.println("Reacted " + emoji + " to " + messageId);
            }
        }
        return OK;
    }

    private int delete() {
        String messageId = arguments.required(1, "<messageId>");
        try (CourierClient client = client(false)) {
            client.deleteForMe(messageId);
            out.println("Deleted " + messageId + " on your devices (the others keep it)");
        }
        return OK;
    }

    /** The words from {@code index} on, as one text. */
    private String text(int index) {
        List<String> words = arguments.from(index);
        if (words.isEmpty()) {
            throw new Arguments.UsageException("missing <text>");
        }
        return String.join(" ", words);
    }

    private int group() {
        String action = arguments.required(
                1, "create, add, remove, info, rename, announce, admin, mute, unmute, transfer or dissolve");
        String groupId = arguments.required(2, "<groupId>");
        String name = "g:" + groupId;
        try (CourierClient client = client(false)) {
            switch (action) {
                case "info" -> info(client.group(groupId));
                case "rename" -> {
                    String newName = text(3);
                    changed(
                            client.updateGroup(groupId, GroupUpdate.rename(newName)),
                            "Renamed " + name + " to \"" + newName + "\"");
                }
                case "announce" -> {
                    String announcement = text(3);
                    changed(
                            client.updateGroup(groupId, GroupUpdate.announce(announcement)),
                            announcement.isEmpty()
                                    ? "Cleared the announcement of " + name
                                    : "Announced in " + name + ": " + announcement);
                }
                case "admin" -> {
                    String userId = arguments.required(3, "<userId>");
                    if (arguments.has("remove")) {
                        changed(client.removeAdmin(groupId, userId), userId + " is no admin of " + name + " now");
                    } else {
                        changed(client.addAdmin(groupId, userId), userId + " is an admin of " + name + " now");
                    }
                }
                case "mute" -> mute(client, groupId, true);
                case "unmute" -> mute(client, groupId, false);
                case "transfer" -> {
                    String userId = arguments.required(3, "<userId>");
                    changed(
                            client.transferOwnership(groupId, userId),
                            userId + " owns " + name + " now; you stay as an admin");
                }
                case "dissolve" -> changed(client.dissolveGroup(groupId), "Dissolved " + name);
                case "create" -> {
                    Group group = client.createGroup(groupId, arguments.required(3, "<name>"), arguments.from(4));
                    out.println("Created g:" + group.groupId() + " \"" + group.name() + "\" with "
                            + String.join(", ", group.members()));
                }
                case "add" -> {
                    List<String> userIds = arguments.from(3);
                    if (userIds.isEmpty()) {
                        throw new Arguments.UsageException("missing <userId...>");
                    }
                    client.addMembers(groupId, userIds);
                    out.println("Added " + String.join(", ", userIds) + " to g:" + groupId);
                }
                case "remove" -> {
                    String userId = arguments.required(3, "<userId>");
                    client.removeMember(groupId, userId);
                    out.println("Removed " + userId + " from g:" + groupId);
                }
                default -> throw new Arguments.UsageException("unknown group command '" + action + "'");
            }
        }
        return OK;
    }

    /**
     * {@code group mute <groupId> [<userId>] [--until T]} and {@code group unmute <groupId> [<userId>]}: a member's
     * mute, or without one the group's.
     */
    private void mute(CourierClient client, String groupId, boolean mute) {
        String name = "g:" + groupId;
        String userId =
                arguments.positional().size() > 3 ? arguments.positional().get(3) : null;
        if (arguments.has("until") && (userId == null || !mute)) {
            throw new Arguments.UsageException(
                    "--until: only a member's mute has an end; a group mute lasts until" + " it is taken back");
        }
        if (userId == null) {
            changed(
                    client.updateGroup(groupId, GroupUpdate.mute(mute)),
                    mute ? "Muted " + name + ": only the owner and admins send" : "Unmuted " + name);
        } else if (!mute) {
            changed(client.unmuteMember(groupId, userId), "Unmuted " + userId + " in " + name);
        } else {
            Instant until = arguments.has("until") ? until(arguments.option("until")) : null;
            changed(
                    client.muteMember(groupId, userId, until),
                    "Muted " + userId + " in " + name
                            + (until == null ? " until unmuted" : " until " + DATE_TIME.format(until)));
        }
    }

    /** What a change did: applied, or in the log but not known to be applied yet. */
    private void changed(ChangeOutcome outcome, String done) {
        if (outcome.applied()) {
            out.println(done);
        } else {
            out.println(
                    done + " (pending: the server has it but has not applied it yet; event " + outcome.eventId() + ")");
        }
    }

    private void info(Group group) {
        out.println(group.conversation() + " \"" + group.name() + "\"");
        out.println("  owner:        " + group.owner());
        out.println("  admins:       " + (group.admins().isEmpty() ? "none" : String.join(", ", group.admins())));
        out.println("  members:      " + String.join(", ", group.members()) + " (" + group.memberCount() + ")");
        out.println("  announcement: " + (group.announcement().isEmpty() ? "none" : group.announcement()));
        out.println("  muted:        " + (group.muted() ? "yes: only the owner and admins send" : "no"));
        out.println("  version:      " + group.version());
    }

    /** {@code groups}: one line per group this user is in now. */
    private int groups() {
        try (CourierClient client = client(false)) {
            String me = state.credentials().orElseThrow(NotLoggedIn::new).userId();
            List<Group> groups = client.listGroups();
            if (groups.isEmpty()) {
                out.println("No groups yet");
            }
            for (Group group : groups) {
                out.println(format(group, me));
            }
        }
        return OK;
    }

    /** {@code g:team  "Launch"  3 members  owner alice  you: admin  muted}. */
    static String format(Group group, String me) {
        String role = group.owner().equals(me) ? "owner" : group.isAdmin(me) ? "admin" : "member";
        return String.format(
                        Locale.ROOT,
                        "%-30s %-24s %4d members  owner %s  you: %s%s",
                        group.conversation(),
                        "\"" + group.name() + "\"",
                        group.memberCount(),
                        group.owner(),
                        role,
                        group.muted() ? "  muted" : "")
                .stripTrailing();
    }

    private int block(boolean blocked) {
        String userId = arguments.required(1, "<userId>");
        try (CourierClient client = client(false)) {
            if (blocked) {
                changed(client.block(userId), "Blocked " + userId + ": their direct messages are refused");
            } else {
                changed(client.unblock(userId), "Unblocked " + userId);
            }
        }
        return OK;
    }

    private int blocks() {
        try (CourierClient client = client(false)) {
            List<String> blocked = client.listBlocks();
            if (blocked.isEmpty()) {
                out.println("No one blocked");
            }
            blocked.forEach(out::println);
        }
        return OK;
    }

    /** {@code --until}: an ISO time ({@code 2026-12-01T18:00:00Z}) or a duration from now ({@code 30m}, {@code 2h}). */
    static Instant until(@Nullable String value) {
        String text = String.valueOf(value).strip();
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException notAnOffsetTime) {
                try {
                    return Instant.now().plus(duration(text));
                } catch (Arguments.UsageException notADuration) {
                    throw new Arguments.UsageException(
                            "--until: not a time (2026-12-01T18:00:00Z) or a duration (30m, 2h): " + value);
                }
            }
        }
    }

    /** The chat list, newest activity first: one line per conversation. */
    private int conversations() {
        try (CourierClient client = client(false)) {
            List<Conversation> conversations = client.conversations();
            if (conversations.isEmpty()) {
                out.println("No conversations yet");
            }
            for (Conversation conversation : conversations) {
                out.println(format(conversation));
            }
        }
        return OK;
    }

    /** {@code read <conversation> [convSeq]}: up to the last message when no convSeq is given. */
    private int read() {
        String conversation = conversation(arguments.required(1, "<conversation>"));
        String given =
                arguments.positional().size() > 2 ? arguments.positional().get(2) : null;
        try (CourierClient client = client(false)) {
            long convSeq = given != null
                    ? convSeq(given, "convSeq")
                    : client.conversation(conversation).lastConvSeq();
            long readSeq = client.markRead(conversation, convSeq);
            out.println("Read " + conversation + " up to " + readSeq);
        }
        return OK;
    }

    /** {@code history <conversation>}: a page of older messages, oldest first, and how to get the page before it. */
    private int history() {
        String conversation = conversation(arguments.required(1, "<conversation>"));
        int limit = arguments.has("limit") ? positiveInt(arguments.option("limit"), "--limit") : DEFAULT_HISTORY;
        Long before = arguments.has("before") ? convSeq(String.valueOf(arguments.option("before")), "--before") : null;
        boolean ids = arguments.has("ids");
        try (CourierClient client = client(false)) {
            HistoryPage page = client.history(conversation, before, limit);
            Transcript transcript = new Transcript(ids);
            transcript.remember(page.messages());
            for (Message message : page.messages()) {
                String at = "#" + message.convSeq() + " " + DATE_TIME.format(message.sentAt()) + " ";
                out.println(
                        message.isSystem()
                                ? at + "* " + message.text()
                                : at + (ids ? message.messageId() + " " : "") + message.from() + ": "
                                        + transcript.body(message));
            }
            Long older = page.olderBeforeSeq();
            if (older != null) {
                out.println("-- older: courier history " + conversation + " --before " + older + " --");
            }
        }
        return OK;
    }

    private int mute(boolean muted) {
        String conversation = conversation(arguments.required(1, "<conversation>"));
        try (CourierClient client = client(false)) {
            client.mute(conversation, muted);
            out.println((muted ? "Muted " : "Unmuted ") + conversation);
        }
        return OK;
    }

    /** {@code push set <provider> <token>} or {@code push clear}: where this device's pushes go while it is offline. */
    private int push() {
        String action = arguments.required(1, "set or clear");
        if (!action.equals("set") && !action.equals("clear")) {
            throw new Arguments.UsageException("unknown push command '" + action + "'");
        }
        try (CourierClient client = client(false)) {
            if (action.equals("set")) {
                String provider = arguments.required(2, "<provider> (apns, fcm or webhook)");
                String token = arguments.required(3, "<token>");
                client.setPushToken(provider, token);
                out.println("Pushes to this device go to " + provider + " token " + token);
            } else {
                client.clearPushToken();
                out.println("No pushes to this device");
            }
        }
        return OK;
    }

    /** {@code tail}, or with {@code chatWith} {@code chat}: prints what arrives until done or interrupted. */
    private int tail(@Nullable String chatWith) throws InterruptedException {
        int count = arguments.has("count") ? positiveInt(arguments.option("count"), "--count") : 0;
        Duration timeout = arguments.has("timeout") ? duration(arguments.option("timeout")) : null;
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger printed = new AtomicInteger();
        Transcript transcript = new Transcript(arguments.has("ids"));
        CourierClient client = client(chatWith != null);
        Thread hook = new Thread(
                () -> {
                    client.close();
                    done.countDown();
                },
                "courier-cli-stop");
        Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C stops cleanly: the sync key is written whole
        try (SyncSubscription subscription =
                client.startSync(SyncKeyStore.file(state.syncKeyFile()), new SyncListener() {
                    @Override
                    public void onMessages(List<Message> messages) {
                        for (Message message : messages) {
                            out.println(transcript.line(message));
                        }
                        out.flush();
                        if (count > 0 && printed.addAndGet(messages.size()) >= count) {
                            done.countDown();
                        }
                    }

                    @Override
                    public void onResync() {
                        out.println("-- the server's history was reset; showing it afresh --");
                    }

                    @Override
                    public void onError(CourierException error) {
                        err.println("courier: " + error.detail() + " (" + error.status() + " " + error.code()
                                + "); retrying");
                    }
                })) {
            if (chatWith != null) {
                Thread.ofVirtual().name("courier-cli-input").start(() -> {
                    chat(client, chatWith);
                    done.countDown();
                });
            }
            if (timeout != null) {
                done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                done.await();
            }
        } finally {
            client.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        return OK;
    }

    /**
     * Sends each line typed until the input ends. Each send is awaited before the next line is sent: sends in flight
     * together may be accepted in any order, and a chat must keep the order it was typed in.
     */
    private void chat(CourierClient client, String to) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    try {
                        client.send(to, line).get();
                    } catch (ExecutionException e) {
                        err.println("courier: not sent: " + describe(e));
                    }
                }
            }
        } catch (IOException e) {
            err.println("courier: cannot read the input: " + e.getMessage());
        } catch (InterruptedException | CancellationException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CourierClient client(boolean gatewaySocket) {
        Credentials credentials = state.credentials().orElseThrow(NotLoggedIn::new);
        return CourierClient.builder(gateway, sync)
                .credentials(credentials)
                .token(state.token().orElse(null))
                .onToken(token -> {
                    state.token(token);
                    state.save();
                })
                .settings(settings(gatewaySocket))
                .build();
    }

    /** One-shot commands send by REST; {@code chat} keeps the gateway WebSocket open. */
    private ClientSettings settings(boolean gatewaySocket) {
        ClientSettings settings = ClientSettings.defaults().withGatewaySocket(gatewaySocket);
        boolean runs = arguments.positional().getFirst().equals("tail")
                || arguments.positional().getFirst().equals("chat");
        return arguments.has("timeout") && !runs
                ? settings.withSendTimeout(duration(arguments.option("timeout")))
                : settings;
    }

    private String await(CompletableFuture<String> sent, String clientMsgId) throws InterruptedException {
        try {
            return sent.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CourierException refused) {
                throw refused;
            }
            throw new UncheckedIOException(
                    describe(e.getCause()) + "; to try again without sending twice: --id " + clientMsgId,
                    new IOException(e.getCause()));
        }
    }

    private static String describe(@Nullable Throwable failure) {
        Throwable cause = failure instanceof ExecutionException || failure instanceof CompletionException
                ? failure.getCause()
                : failure;
        if (cause == null) {
            return "failed";
        }
        return cause instanceof CourierException refused
                ? refused.detail() + " (" + refused.status() + " " + refused.code() + ")"
                : String.valueOf(cause.getMessage());
    }

    /** {@code d:alice:bob  2 unread  muted  2026-12-01 21:14:13 alice: see you}. */
    static String format(Conversation conversation) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-30s", conversation.conversation()));
        line.append(
                conversation.unread() > 0
                        ? String.format(Locale.ROOT, " %4d unread", conversation.unread())
                        : "            ");
        line.append(conversation.muted() ? "  muted" : "       ");
        Conversation.LastMessage last = conversation.lastMessage();
        if (last != null) {
            line.append("  ")
                    .append(DATE_TIME.format(last.sentAt()))
                    .append(' ')
                    .append(last.isSystem() ? "* " : last.from() + ": ")
                    .append(last.text())
                    .append(last.editedAt() != null && !last.recalled() ? " (edited)" : "");
        }
        return line.toString().stripTrailing();
    }

    private String password() {
        String password = arguments.option("password");
        if (password == null) {
            password = System.getenv("COURIER_PASSWORD");
        }
        if (password == null) {
            Console console = System.console();
            char[] typed = console == null ? null : console.readPassword("Password: ");
            password = typed == null ? null : new String(typed);
        }
        if (password == null || password.isEmpty()) {
            throw new Arguments.UsageException("no password: give --password, set COURIER_PASSWORD, or type it");
        }
        return password;
    }

    private URI url(String name, String fallback) {
        String value = arguments.option(name);
        if (value == null) {
            value = state.get(name).orElse(fallback);
        }
        try {
            URI uri = URI.create(value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("not http(s)");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new Arguments.UsageException("--" + name + ": not an http(s) URL: " + value);
        }
    }

    /** {@code d:a:b} and {@code g:team} as they are; {@code u:bob} and a bare {@code bob}: the direct chat with bob. */
    private String conversation(String given) {
        if (given.startsWith("d:") || given.startsWith("g:")) {
            return given;
        }
        String me = state.credentials().orElseThrow(NotLoggedIn::new).userId();
        return Conversation.directId(me, given.startsWith("u:") ? given.substring(2) : given);
    }

    private static long convSeq(String value, String name) {
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new Arguments.UsageException(name + ": must be a message number (0 or more), not " + value);
    }

    /** Where to send in a conversation: {@code d:alice:bob} is {@code u:bob} for alice; else as {@link #address}. */
    private String addressOf(String conversation) {
        if (!conversation.startsWith("d:")) {
            return address(conversation);
        }
        String me = state.credentials().orElseThrow(NotLoggedIn::new).userId();
        String[] users = conversation.substring(2).split(":", -1);
        if (users.length != 2 || !(users[0].equals(me) || users[1].equals(me))) {
            throw new Arguments.UsageException(conversation + " is not a direct conversation of yours");
        }
        return "u:" + (users[0].equals(me) ? users[1] : users[0]);
    }

    /** {@code u:bob} and {@code g:team} as they are; a bare {@code bob} means {@code u:bob}. */
    private static String address(String to) {
        return to.startsWith("u:") || to.startsWith("g:") ? to : "u:" + to;
    }

    private static int positiveInt(@Nullable String value, String name) {
        try {
            int n = Integer.parseInt(String.valueOf(value));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new Arguments.UsageException(name + ": must be a positive number, not " + value);
    }

    /** {@code 30s}, {@code 5m}, {@code 1h}, {@code 250ms} or ISO-8601 ({@code PT30S}). */
    static Duration duration(@Nullable String value) {
        String text = String.valueOf(value).strip().toLowerCase(Locale.ROOT);
        try {
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("s") && !text.startsWith("p")) {
                return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            if (text.endsWith("m") && !text.startsWith("p")) {
                return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            if (text.endsWith("h") && !text.startsWith("p")) {
                return Duration.ofHours(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            return Duration.parse(text.toUpperCase(Locale.ROOT));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new Arguments.UsageException("--timeout: not a duration (30s, 5m, 1h): " + value);
        }
    }

    /** A command that needs a session found none. */
    private static final class NotLoggedIn extends RuntimeException {

        private static final long serialVersionUID = 1L;

        NotLoggedIn() {
            super("not logged in: run 'courier login <userId>' (or 'courier signup <userId>') first");
        }
    }
}
