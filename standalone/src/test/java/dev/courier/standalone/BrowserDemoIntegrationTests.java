package dev.courier.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

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
 * unread badges come and go, the sender sees the read tick, scrolling back loads history, and quotes, edits,
 * reactions and recalls made in one browser show in the other. Needs Debian's
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
