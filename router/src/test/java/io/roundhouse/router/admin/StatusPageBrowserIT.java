package io.roundhouse.router.admin;

import static io.roundhouse.router.admin.AdminTestFarm.agent;
import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser (Debian's chromium, driven through its own chromedriver: nothing is downloaded)
 * against a router's admin API with real state in Redis: what an operator sees, and what a click does.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StatusPageBrowserIT {

    static final String TOKEN = "page-token";
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @TempDir
    Path profile;

    AdminTestFarm farm;
    RedisState state;
    AdminServer admin;
    ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        farm = new AdminTestFarm(redis);
        state = farm.state();
        farm.publish(agent("asterisk-1", 5081, 40, 25.0, Map.of("example.com:1000", 3)))
                .publish(agent("asterisk-2", 5082, 95, 80.0, Map.of()));
        state.placements().claim("example.com:1000", "asterisk-1");
        state.decisions().record("call-id=first-call service=conference key=example.com:1000 node=asterisk-1"
                + " reason=affinity-claimed attempt=1 candidates=[asterisk-1:0.325] score=\"load (lower is better)\""
                + " excluded=[asterisk-2:full] at=1764096000000");
        state.decisions().record("call-id=second-call service=default key=- node=static-1 reason=redispatch attempt=2"
                + " failed=asterisk-1:503 candidates=[static-1:0.000] score=\"load (lower is better)\""
                + " excluded=[asterisk-1:tried] router=router-a at=2025-11-25T18:40:01Z");
        // Probing on, answered by a stand-in for the nodes' SIP stacks: the page shows each node's last probe.
        DispatchSetup dispatch = farm.router(AdminTestFarm.CONFIG.replace("health: { enabled: false }",
                "health: { enabled: true, interval: 1s, timeout: 500ms }"), 3);
        dispatch.probeWith(uri -> CompletableFuture.completedFuture(200));
        admin = farm.admin(dispatch, Optional.of(TOKEN), null, null, () -> true);
        browser = chromium(profile);
    }

    /** Chromium from Debian with its chromedriver, both by explicit path, so Selenium Manager never runs. */
    static ChromeDriver chromium(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1600,1000", "--user-data-dir=" + profile.toAbsolutePath());
        return new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        farm.close();
    }

    WebElement row(String node) {
        return browser.findElement(By.cssSelector("#nodes tbody tr[data-node='" + node + "']"));
    }

    String cellOf(String node, String cls) {
        return row(node).findElement(By.cssSelector("td." + cls)).getText();
    }

    void waitFor(java.util.function.Supplier<Boolean> condition) {
        new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> condition.get());
    }

    void click(String node, String action) {
        waitFor(() -> {
            row(node).findElement(By.cssSelector("button[data-action='" + action + "']")).click();
            return true;
        });
    }

    void useToken(String token) {
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("token-save")).click();
    }

    String message() {
        return browser.findElement(By.id("message")).getText();
    }

    @Test
    void anOperatorSeesTheFarmAndDrainsAndDisablesNodesWithTheToken() throws Exception {
        browser.get("http://127.0.0.1:" + admin.port() + "/");
        waitFor(() -> browser.findElements(By.cssSelector("#nodes tbody tr")).size() == 3);

        // What a person sees: every node with its state colour, load and rooms; rooms; the decision and its reasons.
        assertThat(browser.getTitle()).isEqualTo("Roundhouse router");
        assertThat(row("asterisk-1").getAttribute("class")).isEqualTo("ready");
        assertThat(cellOf("asterisk-1", "state")).isEqualTo("ready");
        assertThat(row("asterisk-1").getText()).contains("40 / 100").contains("25%").contains("example.com:1000 (3)")
                .contains("up");
        assertThat(row("asterisk-2").findElement(By.cssSelector(".bar")).getAttribute("class"))
                .as("95 of 100 channels shows as critical").isEqualTo("bar crit");
        assertThat(row("static-1").getText()).contains("sip:127.0.0.1:5090");
        waitFor(() -> cellOf("static-1", "probes")
                .matches("200 in \\d+ ms, \\d+\\.\\d s ago\\n\\d+ ok in a row"));
        assertThat(browser.findElement(By.id("rooms")).getText()).contains("example.com:1000").contains("asterisk-1");
        assertThat(browser.findElement(By.id("decisions")).getText()).contains("first-call")
                .contains("affinity-claimed").contains("asterisk-2:full").contains("2025-11-25 18:40:00.000");
        WebElement second = browser.findElement(By.cssSelector("#decisions tbody tr:first-child"));
        assertThat(second.getText()).startsWith("2025-11-25 18:40:01.000").contains("second-call")
                .contains("redispatch");
        assertThat(second.findElement(By.cssSelector("td.failed")).getText()).isEqualTo("asterisk-1:503");
        assertThat(second.findElement(By.cssSelector("td.router")).getText()).isEqualTo("router-a");
        assertThat(browser.findElement(By.id("redis")).getText()).isEqualTo("Redis up");

        // Without a token a button explains what is missing; with a wrong one the router's refusal is shown.
        click("asterisk-2", "drain");
        waitFor(() -> message().contains("Enter the admin token first"));
        useToken("not-the-token");
        click("asterisk-2", "drain");
        waitFor(() -> message().contains("refused (403): wrong admin token"));
        assertThat(state.controls().get("asterisk-2")).isEmpty();

        browser.findElement(By.id("token-forget")).click();
        useToken(TOKEN);
        assertThat(browser.findElement(By.id("token-state")).getText()).isEqualTo("token set for this tab");
        click("asterisk-2", "drain");
        waitFor(() -> message().equals("drain asterisk-2: now draining (draining by operator)"));
        waitFor(() -> "draining".equals(row("asterisk-2").getAttribute("class")));
        assertThat(state.controls().get("asterisk-2")).contains(NodeStatus.DRAINING);

        click("static-1", "disable");
        waitFor(() -> "disabled".equals(row("static-1").getAttribute("class")));
        assertThat(row("static-1").findElement(By.cssSelector("td.state")).getCssValue("background-color"))
                .isEqualTo("rgba(207, 216, 220, 1)");
        assertThat(state.controls().get("static-1")).contains(NodeStatus.DISABLED);

        // Live: a change in Redis shows up without reloading the page.
        state.nodes().publish(agent("asterisk-1", 5081, 72, 25.0, Map.of("example.com:1000", 3)),
                Duration.ofSeconds(30));
        waitFor(() -> row("asterisk-1").getText().contains("72 / 100"));

        // A node whose agent cannot reach its Asterisk: down, and its counts unknown rather than 0.
        state.nodes().publish(new NodeState("asterisk-3", "sip:127.0.0.1:5083", NodeStatus.UNREACHABLE, 0, 100, 0,
                Map.of(), Set.of(), Set.of(), "22.10.1", "test", System.currentTimeMillis(), false, false),
                Duration.ofSeconds(30));
        waitFor(() -> "down".equals(row("asterisk-3").getAttribute("class")));
        assertThat(cellOf("asterisk-3", "state")).isEqualTo("down (Asterisk unreachable)");
        assertThat(cellOf("asterisk-3", "calls")).isEqualTo("unknown");
        assertThat(cellOf("asterisk-3", "cpu")).isEqualTo("unknown");
        assertThat(cellOf("asterisk-1", "calls")).isEqualTo("72 / 100");

        Path shot = Path.of("target", "status-page.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }
}
