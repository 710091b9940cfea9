package dev.courier.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo chat page in real headless Chromium: two browser sessions sign up and exchange messages, each seeing both;
 * unread badges come and go, the sender sees the read tick, scrolling back loads history, quotes, edits,
 * reactions and recalls made in one browser show in the other, the group panel follows the group's administration
 * and its system messages are event lines, and a direct chat can be blocked. Needs Debian's
 * {@code chromium} and {@code chromium-driver} (CI installs them); skipped where they are missing.
 */
class BrowserDemoIntegrationTests {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final Duration UI = Duration.ofSeconds(30);

    private WebDriver alice;

    private WebDriver bob;

    @BeforeEach
    void openBrowsers() {
        Assumptions.assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
        alice = browser();
        bob = browser();
    }

    @AfterEach
    void closeBrowsers() {
        if (alice != null) {
            alice.quit();
        }
        if (bob != null) {
            bob.quit();
        }
    }

    private static WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // as root, without the network: no sandbox, no background connections to the outside
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1100,700");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    @Test
    void twoBrowsersSignUpAndExchangeMessagesLive() throws Exception {
        Api api = TestSystem.api();
        String page = api.gateway + "/demo/index.html?sync=" + api.sync;
        String aliceId = Api.uniqueId("alice");
        String bobId = Api.uniqueId("bob");
        signUp(alice, page, aliceId);
        signUp(bob, page, bobId);

        send(alice, "u:" + bobId, "hello bob, from a browser");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(messages(bob)).contains("hello bob, from a browser"));
        // bob answers in the conversation the message opened
        assertThat(bob.findElement(By.id("to")).getDomProperty("value")).isEqualTo("u:" + aliceId);
        send(bob, null, "hi alice");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(messages(alice))
                        .contains("hello bob, from a browser")
                        .contains("hi alice"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(messages(bob)).contains("hi alice"));

        Path target = Path.of("target");
        Files.write(
                target.resolve("demo-alice.png"),
                ((org.openqa.selenium.TakesScreenshot) alice).getScreenshotAs(OutputType.BYTES));
        Files.write(
                target.resolve("demo-bob.png"),
                ((org.openqa.selenium.TakesScreenshot) bob).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void unreadBadgesComeAndGoAndTheSenderSeesTheReadTick() throws IOException {
        Api api = TestSystem.api();
        String page = api.gateway + "/demo/index.html?sync=" + api.sync;
        String aliceId = Api.uniqueId("alice");
        String bobId = Api.uniqueId("bob");
        signUp(alice, page, aliceId);
        signUp(bob, page, bobId);
        Api.Session carol = api.newUser("carol");
        String withAlice = direct(aliceId, bobId);
        String withCarol = direct(carol.userId(), bobId);

        // carol writes first: bob's page opens her conversation, so alice's message arrives in one he has not opened
        api.sendOk(carol, "u:" + bobId, "hi bob, carol here");
        await().atMost(UI).untilAsserted(() -> assertThat(messages(bob)).contains("hi bob, carol here"));
        send(alice, "u:" + bobId, "are you there?");
        await().atMost(UI).untilAsserted(() -> assertThat(badge(bob, withAlice)).isEqualTo("1"));
        assertThat(badge(bob, withCarol)).as("the open conversation").isEmpty();
        await().atMost(UI)
                .untilAsserted(() -> assertThat(tick(alice, "are you there?")).isEqualTo("✓"));
        screenshot(bob, "demo-badge.png");
        screenshot(alice, "demo-sent.png");

        // bob opens it: the badge goes, the page marks it read, and alice's message shows that he read it
        open(bob, withAlice);
        await().atMost(UI).untilAsserted(() -> {
            assertThat(messages(bob)).contains("are you there?");
            assertThat(badge(bob, withAlice)).isEmpty();
        });
        await().atMost(UI)
                .untilAsserted(() -> assertThat(tick(alice, "are you there?")).isEqualTo("✓✓"));
        Api.Session bobsPhone = api.device(bobId, "phone");
        await().atMost(UI)
                .untilAsserted(() -> assertThat(api.conversation(bobsPhone, withAlice)
                                .body()
                                .path("unread")
                                .asInt())
                        .isZero());

        // a badge follows the states live: carol writes again, bob reads it on his phone, the badge goes by a hint
        api.sendOk(carol, "u:" + bobId, "one more thing");
        await().atMost(UI).untilAsserted(() -> assertThat(badge(bob, withCarol)).isEqualTo("1"));
        assertThat(api.read(bobsPhone, withCarol, 2).status()).isEqualTo(202);
        await().atMost(UI).untilAsserted(() -> assertThat(badge(bob, withCarol)).isEmpty());
        assertThat(badge(bob, withAlice)).isEmpty();
    }

    @Test
    void scrollingToTheTopLoadsMessagesOlderThanTheFirstSync() {
        Api api = TestSystem.api();
        String page = api.gateway + "/demo/index.html?sync=" + api.sync;
        Api.Session reader = api.newUser("reader");
        Api.Session writer = api.newUser("writer");
        String conversation = direct(reader.userId(), writer.userId());
        // a first sync brings the newest 100 messages; the 10 before them are only in history
        for (int i = 0; i < 110; i++) {
            api.sendOk(writer, "u:" + reader.userId(), String.format(Locale.ROOT, "message %03d", i));
        }
        await().atMost(UI)
                .until(() -> api.conversation(reader, conversation)
                                .body()
                                .path("lastConvSeq")
                                .asLong()
                        == 110);

        logIn(alice, page, reader.userId());
        await().atMost(UI).untilAsserted(() -> assertThat(messages(alice)).contains("message 109"));
        assertThat(messages(alice)).contains("message 010").doesNotContain("message 009");

        ((JavascriptExecutor) alice).executeScript("document.getElementById('messages').scrollTop = 0;");
        await().atMost(UI).untilAsserted(() -> assertThat(messages(alice)).contains("message 000"));
        String all = messages(alice);
        for (int i = 1; i < 110; i++) {
            assertThat(all.indexOf(String.format(Locale.ROOT, "message %03d", i)))
                    .as("message %03d after the one before it", i)
                    .isGreaterThan(all.indexOf(String.format(Locale.ROOT, "message %03d", i - 1)));
        }
    }

    @Test
    void quotesEditsReactionsAndRecallsReachTheOtherBrowserLive() throws IOException {
        Api api = TestSystem.api();
        String page = api.gateway + "/demo/index.html?sync=" + api.sync;
        String aliceId = Api.uniqueId("alice");
        String bobId = Api.uniqueId("bob");
        signUp(alice, page, aliceId);
        signUp(bob, page, bobId);
        send(alice, "u:" + bobId, "coffee at 8?");
        await().atMost(UI).untilAsserted(() -> assertThat(messages(bob)).contains("coffee at 8?"));

        // bob quotes it: the composer shows the quote, and both sides see it on the reply
        act(bob, "coffee at 8?", "reply");
        assertThat(bob.findElement(By.id("composingText")).getText()).contains(aliceId + ": coffee at 8?");
        send(bob, null, "yes, see you there");
        await().atMost(UI)
                .untilAsserted(
                        () -> assertThat(shown(alice, "yes, see you there").quote())
                                .isEqualTo("↪ " + aliceId + ": coffee at 8?"));
        await().atMost(UI)
                .untilAsserted(() -> assertThat(shown(bob, "yes, see you there").quote())
                        .isEqualTo("↪ " + aliceId + ": coffee at 8?"));
        assertThat(bob.findElement(By.id("composing")).isDisplayed()).isFalse();

        // alice edits her question: bob sees the new text, marked, and his quote of it follows
        act(alice, "coffee at 8?", "edit");
        assertThat(alice.findElement(By.id("text")).getDomProperty("value")).isEqualTo("coffee at 8?");
        alice.findElement(By.id("text")).clear();
        send(alice, null, "coffee at 9?");
        await().atMost(UI).untilAsserted(() -> {
            assertThat(shown(bob, "coffee at 9?").edited()).isTrue();
            assertThat(shown(bob, "yes, see you there").quote()).isEqualTo("↪ " + aliceId + ": coffee at 9?");
            assertThat(texts(bob)).doesNotContain("coffee at 8?");
        });

        // bob reacts: alice sees the count under her message; a second emoji from alice counts too
        react(bob, "coffee at 9?", "👍");
        await().atMost(UI)
                .untilAsserted(() ->
                        assertThat(shown(alice, "coffee at 9?").reactions()).isEqualTo("👍 1"));
        react(alice, "coffee at 9?", "👍");
        await().atMost(UI)
                .untilAsserted(
                        () -> assertThat(shown(bob, "coffee at 9?").reactions()).isEqualTo("👍 2"));
        screenshot(alice, "demo-lifecycle-alice.png");

        // alice sends to the wrong chat and recalls it: bob sees that it was recalled, not what it said
        send(alice, null, "wrong chat, sorry");
        await().atMost(UI).untilAsserted(() -> {
            assertThat(texts(bob)).contains("wrong chat, sorry");
            assertThat(texts(alice)).contains("wrong chat, sorry");
        });
        String wrong = shown(alice, "wrong chat, sorry").messageId();
        act(alice, "wrong chat, sorry", "recall");
        await().atMost(UI).untilAsserted(() -> {
            assertThat(byId(bob, wrong)).isEqualTo("message recalled");
            assertThat(texts(bob)).doesNotContain("wrong chat, sorry");
        });
        await().atMost(UI).untilAsserted(() -> assertThat(byId(alice, wrong)).isEqualTo("message recalled"));
        screenshot(bob, "demo-lifecycle-bob.png");
    }

    @Test
    void theGroupPanelFollowsItsAdministrationAndEveryMemberSeesEachChangeAsAnEvent() throws IOException {
        Api api = TestSystem.api();
        String page = api.gateway + "/demo/index.html?sync=" + api.sync;
        String aliceId = Api.uniqueId("alice");
        String bobId = Api.uniqueId("bob");
        signUp(alice, page, aliceId);
        signUp(bob, page, bobId);
        Api.Session carol = api.newUser("carol");
        String groupId = Api.uniqueId("team");
        String group = "g:" + groupId;

        // carol writes first: bob's page opens her chat, so the group arrives in a conversation he has not opened
        api.sendOk(carol, "u:" + bobId, "hi bob, carol here");
        await().atMost(UI).untilAsserted(() -> assertThat(messages(bob)).contains("hi bob, carol here"));
        Api.Response created =
                api.createGroup(api.device(aliceId, "phone"), groupId, "Team", List.of(bobId, carol.userId()));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        await().atMost(UI).untilAsserted(() -> assertThat(listed(bob, group)).isEqualTo("Team"));
        // its system message counts as unread for no one; carol's message does
        assertThat(badge(bob, group)).isEmpty();
        api.sendOk(carol, group, "hello team");
        await().atMost(UI).untilAsserted(() -> assertThat(badge(bob, group)).isEqualTo("1"));

        open(alice, group);
        open(bob, group);
        await().atMost(UI)
                .untilAsserted(() -> assertThat(panel(bob))
                        .containsEntry("name", "Team")
                        .containsEntry("owner", aliceId)
                        .containsEntry("announcement", "none")
                        .containsEntry("admins", "none")
                        .containsEntry("count", "3")
                        .containsEntry("muted", "false")
                        .containsEntry("members", String.join(",", sorted(aliceId, bobId, carol.userId()))));
        assertThat(events(bob))
                .containsExactly(
                        aliceId + " created the group \"Team\" with " + others(aliceId, bobId, carol.userId()));
        assertThat(centred(bob)).as("an event line, not a bubble").isTrue();
        // the owner has every action, a plain member none
        assertThat(displayed(alice, "manage")).isTrue();
        assertThat(displayed(alice, "own")).isTrue();
        assertThat(memberActions(alice, bobId)).containsExactly("mute", "unmute", "remove", "admin", "transfer");
        assertThat(displayed(bob, "manage")).isFalse();
        assertThat(displayed(bob, "own")).isFalse();
        assertThat(memberActions(bob, carol.userId())).isEmpty();

        // alice renames from her panel: bob sees the event and the new name in his panel
        alice.findElement(By.id("renameInput")).sendKeys("Launch");
        alice.findElement(By.id("rename")).click();
        await().atMost(UI).untilAsserted(() -> {
            assertThat(events(bob)).contains(aliceId + " renamed the group to \"Launch\"");
            assertThat(panel(bob)).containsEntry("name", "Launch");
            assertThat(bob.findElement(By.id("chatTitle")).getText()).isEqualTo("Launch");
        });
        assertThat(texts(bob)).as("no bubble for an event").doesNotContain("renamed");
        alice.findElement(By.id("announceInput")).sendKeys("Friday 10:00");
        alice.findElement(By.id("announce")).click();
        await().atMost(UI).untilAsserted(() -> {
            assertThat(events(bob)).contains(aliceId + " announced \"Friday 10:00\"");
            assertThat(panel(bob)).containsEntry("announcement", "Friday 10:00");
        });

        // alice mutes bob: his send is refused with a visible message; unmuted, he sends again
        memberAction(alice, bobId, "mute");
        await().atMost(UI).untilAsserted(() -> assertThat(toast(alice)).isEqualTo(bobId + " is muted"));
        send(bob, null, "can I still talk?");
        await().atMost(UI)
                .untilAsserted(() -> assertThat(toast(bob))
                        .startsWith("Not sent: you are muted in " + group)
                        .endsWith("(403 forbidden)"));
        screenshot(bob, "demo-group-muted.png");
        bob.findElement(By.id("text")).clear(); // a refused text stays in the composer
        memberAction(alice, bobId, "unmute");
        await().atMost(UI).untilAsserted(() -> assertThat(toast(alice)).isEqualTo(bobId + " may send again"));
        send(bob, null, "back again");
        await().atMost(UI).untilAsserted(() -> assertThat(texts(alice)).contains("back again"));

        // alice makes bob an admin: bob's panel says so and gives him the admin actions, not the owner's
        memberAction(alice, bobId, "admin");
        await().atMost(UI).untilAsserted(() -> {
            assertThat(panel(bob)).containsEntry("admins", bobId);
            assertThat(displayed(bob, "manage")).isTrue();
            assertThat(events(bob)).contains(aliceId + " made " + bobId + " an admin");
        });
        assertThat(displayed(bob, "own")).isFalse();
        assertThat(memberActions(bob, carol.userId())).containsExactly("mute", "unmute", "remove");
        assertThat(memberActions(bob, aliceId)).as("nobody acts on the owner").isEmpty();

        // bob mutes the group: carol may not send, alice's panel shows it
        bob.findElement(By.id("muteGroup")).click();
        await().atMost(UI).untilAsserted(() -> {
            assertThat(panel(alice)).containsEntry("muted", "true");
            assertThat(events(alice)).contains(bobId + " muted the group (only the owner and admins send)");
        });
        Api.Response silenced = api.send(carol, Api.uniqueId("c"), group, "hello?");
        assertThat(silenced.status()).isEqualTo(403);
        assertThat(silenced.code()).isEqualTo("forbidden");
        screenshot(alice, "demo-group-panel.png");

        // alice dissolves it (a second click confirms): everyone sees the end, and sending is refused
        alice.findElement(By.id("dissolve")).click();
        assertThat(alice.findElement(By.id("dissolve")).getText()).isEqualTo("Click again to dissolve");
        alice.findElement(By.id("dissolve")).click();
        await().atMost(UI).untilAsserted(() -> {
            assertThat(events(bob)).last().isEqualTo(aliceId + " dissolved the group");
            assertThat(bob.findElement(By.id("groupState")).getText()).contains("dissolved");
            assertThat(displayed(bob, "manage")).isFalse();
            assertThat(listed(bob, group)).isEqualTo("Launch (dissolved)");
        });
        send(bob, null, "anyone?");
        await().atMost(UI).untilAsserted(() -> assertThat(toast(bob)).endsWith("(404 not_found)"));
        screenshot(bob, "demo-group-dissolved.png");
    }

    @Test
    void aDirectChatCanBeBlockedAndUnblocked() {
        Api api = TestSystem.api();
        String page = api.gateway + "/demo/index.html?sync=" + api.sync;
        String bobId = Api.uniqueId("bob");
        signUp(bob, page, bobId);
        Api.Session carol = api.newUser("carol");
        api.sendOk(carol, "u:" + bobId, "buy my stuff");
        await().atMost(UI).untilAsserted(() -> assertThat(messages(bob)).contains("buy my stuff"));
        assertThat(bob.findElement(By.id("block")).getText()).isEqualTo("Block");

        bob.findElement(By.id("block")).click();
        await().atMost(UI)
                .untilAsserted(() ->
                        assertThat(bob.findElement(By.id("block")).getText()).isEqualTo("Unblock"));
        Api.Response refused = api.send(carol, Api.uniqueId("c"), "u:" + bobId, "buy it!");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("blocked");
        // one way: bob may still write to carol
        send(bob, null, "no thanks");
        await().atMost(UI).untilAsserted(() -> assertThat(texts(bob)).contains("no thanks"));

        bob.findElement(By.id("block")).click();
        await().atMost(UI)
                .untilAsserted(() ->
                        assertThat(bob.findElement(By.id("block")).getText()).isEqualTo("Block"));
        api.sendOk(carol, "u:" + bobId, "sorry");
        await().atMost(UI).untilAsserted(() -> assertThat(texts(bob)).contains("sorry"));
        assertThat(texts(bob)).doesNotContain("buy it!");
    }

    /** The group panel as shown: name, owner, announcement, admins, member count, members (comma-separated), muted. */
    private static Map<String, String> panel(WebDriver browser) {
        Object found = ((JavascriptExecutor) browser).executeScript("""
                const panel = document.getElementById('group');
                if (panel.classList.contains('hidden')) { return null; }
                return {name: document.getElementById('groupName').textContent,
                    owner: document.getElementById('groupOwner').textContent,
                    announcement: document.getElementById('groupAnnouncement').textContent,
                    admins: document.getElementById('groupAdmins').textContent,
                    count: document.getElementById('groupCount').textContent,
                    muted: document.getElementById('groupState').dataset.muted,
                    members: [...document.querySelectorAll('#groupMembers li')].map(l => l.dataset.userId).join(',')};
                """);
        assertThat(found).as("the group panel").isNotNull();
        Map<String, String> panel = new TreeMap<>();
        ((Map<?, ?>) found).forEach((key, value) -> panel.put(String.valueOf(key), String.valueOf(value)));
        return panel;
    }

    /** The actions the panel offers on one member. */
    private static List<String> memberActions(WebDriver browser, String userId) {
        Object found = ((JavascriptExecutor) browser).executeScript("""
                const item = document.querySelector('#groupMembers li[data-user-id="' + arguments[0] + '"]');
                return item ? [...item.querySelectorAll('button')].map(b => b.dataset.action) : null;
                """, userId);
        assertThat(found).as("member %s in the panel", userId).isNotNull();
        return ((List<?>) found).stream().map(String::valueOf).toList();
    }

    /** Clicks an action on a member in the group panel (again if the panel was redrawn under the click). */
    private static void memberAction(WebDriver browser, String userId, String action) {
        await().atMost(UI).ignoreException(StaleElementReferenceException.class).until(() -> {
            browser.findElement(By.cssSelector(
                            "#groupMembers li[data-user-id='" + userId + "'] button[data-action='" + action + "']"))
                    .click();
            return true;
        });
    }

    /** The event lines (system messages) of the open conversation. */
    private static List<String> events(WebDriver browser) {
        Object found = ((JavascriptExecutor) browser).executeScript("""
                return [...document.querySelectorAll('#list .event')].map(e => e.textContent);
                """);
        return ((List<?>) found).stream().map(String::valueOf).toList();
    }

    /** Whether the event lines are centred. */
    private static boolean centred(WebDriver browser) {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript("""
                const event = document.querySelector('#list .event');
                return !!event && getComputedStyle(event).textAlign === 'center' && !event.closest('.message');
                """));
    }

    /** The toast shown now, or "". */
    private static String toast(WebDriver browser) {
        WebElement toast = browser.findElement(By.id("toast"));
        return toast.isDisplayed() ? toast.getText() : "";
    }

    private static boolean displayed(WebDriver browser, String id) {
        return browser.findElement(By.id(id)).isDisplayed();
    }

    /** The name the conversation list shows for a conversation, or "" when it is not listed. */
    private static String listed(WebDriver browser, String conversation) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript("""
                const item = [...document.querySelectorAll('#conversations > div')]
                    .find(d => d.dataset.conversation === arguments[0]);
                return item ? item.querySelector('.title').textContent : '';
                """, conversation));
    }

    private static List<String> sorted(String... userIds) {
        return Arrays.stream(userIds).sorted().toList();
    }

    /** The members but the creator, as the created event lists them. */
    private static String others(String creator, String... members) {
        return String.join(
                ", ", sorted(members).stream().filter(u -> !u.equals(creator)).toList());
    }

    /** What the open conversation shows of the message with this text. */
    private record Shown(String messageId, String quote, boolean edited, String reactions) {}

    private static Shown shown(WebDriver browser, String text) {
        Object found = ((JavascriptExecutor) browser).executeScript("""
                const message = [...document.querySelectorAll('#list .message')]
                    .find(m => m.querySelector('.text').textContent === arguments[0]);
                if (!message) { return null; }
                const quote = message.querySelector('.quote');
                return [message.dataset.messageId, quote ? quote.textContent : '',
                    !!message.querySelector('.edited'),
                    [...message.querySelectorAll('.reactions button')].map(b => b.textContent).join(' ')];
                """, text);
        assertThat(found).as("a message '%s'", text).isNotNull();
        List<?> values = (List<?>) found;
        return new Shown(
                String.valueOf(values.get(0)),
                String.valueOf(values.get(1)),
                Boolean.TRUE.equals(values.get(2)),
                String.valueOf(values.get(3)));
    }

    /** The text shown for the message with this id, or "none". */
    private static String byId(WebDriver browser, String messageId) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript("""
                const message = document.querySelector('#list .message[data-message-id="' + arguments[0] + '"]');
                return message ? message.querySelector('.text').textContent : 'none';
                """, messageId));
    }

    /** The texts of the messages of the open conversation (not the quotes or the buttons). */
    private static String texts(WebDriver browser) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript("""
                return [...document.querySelectorAll('#list .message .text')].map(t => t.textContent).join('\\n');
                """));
    }

    /** Clicks an action of the message with this text (again if the list was redrawn under the click). */
    private static void act(WebDriver browser, String text, String action) {
        click(browser, text, "button[data-action='" + action + "']");
    }

    /** Clicks an emoji of the reaction buttons under the message with this text. */
    private static void react(WebDriver browser, String text, String emoji) {
        click(browser, text, ".actions button[data-emoji='" + emoji + "']");
    }

    private static void click(WebDriver browser, String text, String selector) {
        await().atMost(UI).ignoreException(StaleElementReferenceException.class).until(() -> {
            Object button = ((JavascriptExecutor) browser).executeScript("""
                    const message = [...document.querySelectorAll('#list .message')]
                        .find(m => m.querySelector('.text').textContent === arguments[0]);
                    return message ? message.querySelector(arguments[1]) : null;
                    """, text, selector);
            if (button == null) {
                return false;
            }
            ((WebElement) button).click();
            return true;
        });
    }

    private static void screenshot(WebDriver browser, String name) throws IOException {
        Files.write(
                Path.of("target").resolve(name),
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private static String direct(String one, String other) {
        return one.compareTo(other) < 0 ? "d:" + one + ":" + other : "d:" + other + ":" + one;
    }

    /** The unread badge of a conversation in the list, or "" when it shows none. */
    private static String badge(WebDriver browser, String conversation) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript("""
                const item = [...document.querySelectorAll('#conversations > div')]
                    .find(d => d.dataset.conversation === arguments[0]);
                const badge = item && item.querySelector('.badge');
                return badge ? badge.textContent : '';
                """, conversation));
    }

    /** The read tick of one's own message with this text in the open conversation, or "none". */
    private static String tick(WebDriver browser, String text) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript("""
                const message = [...document.querySelectorAll('#list .message.mine')]
                    .find(m => m.querySelector('.text').textContent === arguments[0]);
                const tick = message && message.querySelector('.tick');
                return tick ? tick.textContent : 'none';
                """, text));
    }

    /** Clicks a conversation in the list (again if the list was redrawn under the click). */
    private static void open(WebDriver browser, String conversation) {
        await().atMost(UI).ignoreException(StaleElementReferenceException.class).until(() -> {
            browser.findElement(By.cssSelector("#conversations [data-conversation='" + conversation + "']"))
                    .click();
            return true;
        });
    }

    private static void logIn(WebDriver browser, String page, String userId) {
        browser.get(page);
        browser.findElement(By.id("userId")).sendKeys(userId);
        browser.findElement(By.id("password")).sendKeys("password-" + userId);
        browser.findElement(By.id("signin")).click();
        await().atMost(UI)
                .untilAsserted(
                        () -> assertThat(browser.findElement(By.id("status")).getText())
                                .endsWith("live"));
    }

    private static void signUp(WebDriver browser, String page, String userId) {
        browser.get(page);
        browser.findElement(By.id("userId")).sendKeys(userId);
        browser.findElement(By.id("password")).sendKeys("password-" + userId);
        browser.findElement(By.id("signup")).click();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(browser.findElement(By.id("status")).getText())
                                .endsWith("live"));
    }

    private static void send(WebDriver browser, String to, String text) {
        if (to != null) {
            browser.findElement(By.id("to")).clear();
            browser.findElement(By.id("to")).sendKeys(to);
        }
        browser.findElement(By.id("text")).sendKeys(text);
        browser.findElement(By.id("send")).click();
    }

    private static String messages(WebDriver browser) {
        return browser.findElement(By.id("messages")).getText();
    }
}
