package dev.eryao.browser;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's {@code chromium}, headless, driven through its {@code chromium-driver} by Selenium (the
 * binaries are named, so Selenium Manager, which would download a driver, is never asked). One per
 * test class. On a machine without them the class is skipped with one line that says so; CI installs
 * them ({@code .ci/run}).
 */
final class Chromium implements AutoCloseable {
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    /** The longest a page is waited for: a bound against a hang, never a claim about speed. */
    static final Duration PATIENCE = Duration.ofSeconds(60);
    /**
     * Selenium looks for DevTools bindings of the browser's exact version at start and warns when it
     * has none; these tests speak WebDriver only, so the warning says nothing. (Kept here: a
     * java.util.logging logger held by no one may be collected, and its level with it.)
     */
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Skips the calling class (a JUnit assumption) unless Chromium and its driver are installed. */
    static void assumeInstalled() {
        Assumptions.assumeTrue(
                find(BROWSERS).isPresent() && find(DRIVERS).isPresent(),
                "no Chromium here: the browser tests are skipped (Debian: apt-get install chromium chromium-driver)");
    }

    static Chromium start() {
        assumeInstalled();
        CDP_VERSION_FINDER.setLevel(Level.OFF);
        Path profile;
        try {
            profile = Files.createTempDirectory("eryao-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions()
                .setBinary(find(BROWSERS).orElseThrow())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox", // CI runs as root, where Chromium's sandbox cannot start
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--no-first-run",
                        "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(find(DRIVERS).orElseThrow()))
                .usingAnyFreePort()
                .build();
        return new Chromium(new ChromeDriver(service, options), profile);
    }

    private static Optional<String> find(List<String> candidates) {
        return candidates.stream()
                .filter(path -> Files.isExecutable(Path.of(path)))
                .findFirst();
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
        until(page -> "true".equals(page.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** The element's text as shown (empty when hidden). */
    String text(String css) {
        List<WebElement> found = driver.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.getLast().getText();
    }

    boolean visible(String css) {
        List<WebElement> found = driver.findElements(By.cssSelector(css));
        return !found.isEmpty() && found.getFirst().isDisplayed();
    }

    Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /**
     * Waits until {@code condition} holds (bounded by {@link #PATIENCE}); the message says what was
     * awaited. An element the page replaced while the condition read it (the page redraws a session's
     * messages when a run ends) is no failure: the condition is asked again.
     */
    <T> T until(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, PATIENCE)
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    <T> T until(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, PATIENCE)
                .withMessage(what)
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temporary profile is harmless
            }
        }
    }
}
