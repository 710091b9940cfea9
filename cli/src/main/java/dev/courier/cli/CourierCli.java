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
import dev.courier.client.ClientSettings;
import dev.courier.client.Content;
import dev.courier.client.Conversation;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.Credentials;
import dev.courier.client.Group;
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
              tail [--count N]                                           print incoming messages as they arrive
              chat <to>                                                  tail, and send every line typed
              conversations                                              the chat list: unread counts, last messages
              read <conversation> [convSeq]                              mark read up to convSeq (default: all)
              history <conversation> [--limit N] [--before SEQ]          the last N (50) messages before SEQ, oldest first
              mute <conversation> | unmute <conversation>                mute a conversation (it still counts unread)
              push set <provider> <token> | push clear                   this device's push token (apns, fcm, webhook)

            A <conversation> is d:<a>:<b>, g:<group>, u:<user> or just a user id (your direct chat with them).

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

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

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
            case "group" -> group();
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

    private int group() {
        String action = arguments.required(1, "create, add or remove");
        String groupId = arguments.required(2, "<groupId>");
        try (CourierClient client = client(false)) {
            switch (action) {
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
        try (CourierClient client = client(false)) {
            HistoryPage page = client.history(conversation, before, limit);
            for (Message message : page.messages()) {
                out.println("#" + message.convSeq() + " " + DATE_TIME.format(message.sentAt()) + " " + message.from()
                        + ": " + message.text());
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
                            out.println(format(message));
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
                    .append(last.from())
                    .append(": ")
                    .append(last.text());
        }
        return line.toString().stripTrailing();
    }

    static String format(Message message) {
        return TIME.format(message.sentAt()) + " " + message.conversation() + " " + message.from() + ": "
                + message.text();
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
