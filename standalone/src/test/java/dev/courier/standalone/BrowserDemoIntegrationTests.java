package dev.courier.standalone;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import dev.courier.testinfra.client.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo chat page in real headless Chromium: two browser sessions sign up and exchange messages, each seeing both.
 * Needs Debian's {@code chromium} and {@code chromium-driver} (CI installs them); skipped where they are missing.
 */
class BrowserDemoIntegrationTests {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

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
