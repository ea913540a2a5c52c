package io.roundhouse.shared.testing;

import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.config.RedisUrl;
import io.roundhouse.shared.state.RedisState;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A real Redis for tests, with a key prefix of the test's own and cleanup of exactly those keys.
 *
 * <p><b>Which Redis.</b> {@code REDIS_URL} when set (e.g. {@code redis://127.0.0.1:6379/0}); otherwise a private
 * {@code redis-server} from {@code PATH}, started once per JVM on a free loopback port without persistence and stopped
 * at JVM exit. Without {@code redis-server} on {@code PATH} the test fails with a message saying so.
 *
 * <p><b>Per-test prefix.</b> Register it as a JUnit 5 extension; before each test it picks a fresh prefix
 * {@code rhtest:<uuid>:}, after each test it closes the {@link RedisState}s opened through {@link #open()} and deletes
 * the keys under that prefix ({@code SCAN MATCH <prefix>*}), and nothing else:
 *
 * <pre>
 * class PlacementTest {
 *     &#64;RegisterExtension
 *     final TestRedis redis = new TestRedis();
 *
 *     &#64;Test
 *     void claimPlacesANewRoom() {
 *         RedisState state = redis.open();                   // closed after the test
 *         RedisSettings settings = redis.settings();        // url + this test's prefix, for your own components
 *         ...
 *     }
 * }
 * </pre>
 *
 * <p><b>Redis going away.</b> A test that stops Redis mid-run must not stop a Redis other tests use, so it always takes
 * a private server, even when {@code REDIS_URL} is set: {@link #startPrivate()} returns a {@link PrivateRedis} with
 * {@code stop()} and {@code start()} on the same port; close it at the end of the test (try-with-resources).
 */
public final class TestRedis implements BeforeEachCallback, AfterEachCallback {

    /** Commands in tests fail fast rather than hang a test on a dead server. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static PrivateRedis shared;

    private final List<RedisState> opened = new ArrayList<>();
    private String prefix;

    /** The URL tests should use: {@code REDIS_URL}, or the JVM's private server (started on first use). */
    public static synchronized String sharedUrl() {
        String env = System.getenv("REDIS_URL");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        if (shared == null || !shared.isRunning()) {
            shared = PrivateRedis.launch();
        }
        return shared.url();
    }

    /** A new private redis-server on a free port, started; the caller closes it. Independent of {@code REDIS_URL}. */
    public static PrivateRedis startPrivate() {
        return PrivateRedis.launch();
    }

    /** A fresh unique prefix, {@code rhtest:<uuid>:}. */
    public static String newPrefix() {
        return "rhtest:" + UUID.randomUUID() + ":";
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        prefix = newPrefix();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        RuntimeException failure = null;
        for (RedisState s : opened) {
            try {
                s.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        opened.clear();
        deleteKeys(sharedUrl(), prefix);
        if (failure != null) {
            throw failure;
        }
    }

    /** This test's key prefix. */
    public String prefix() {
        if (prefix == null) {
            throw new IllegalStateException("TestRedis has no prefix outside a test: register it with @RegisterExtension");
        }
        return prefix;
    }

    /** The Redis URL in use (see the class comment). */
    public String url() {
        return sharedUrl();
    }

    /** Settings for this test: {@link #url()}, {@link #prefix()}, {@link #TIMEOUT} for both timeouts. */
    public RedisSettings settings() {
        return new RedisSettings(url(), prefix(), TIMEOUT, TIMEOUT, null, List.of());
    }

    /** A {@link RedisState} on {@link #settings()}, closed after the test. Each call opens an independent pool. */
    public RedisState open() {
        return track(new RedisState(settings()));
    }

    /** As {@link #open()}, with a decision log cap. */
    public RedisState open(int decisionCap) {
        return track(new RedisState(settings(), decisionCap));
    }

    /** The keys now under this test's prefix, sorted (to assert what a component wrote). */
    public Set<String> keys() {
        return scan(url(), prefix());
    }

    /** A plain connection to {@link #url()} for inspecting or planting raw keys; the caller closes it. */
    public Jedis jedis() {
        return connect(url());
    }

    private RedisState track(RedisState s) {
        opened.add(s);
        return s;
    }

    /** Deletes the keys under {@code prefix} on {@code url}, and only those. */
    public static void deleteKeys(String url, String prefix) {
        Set<String> keys = scan(url, prefix);
        if (keys.isEmpty()) {
            return;
        }
        try (Jedis jedis = connect(url)) {
            jedis.del(keys.toArray(String[]::new));
        }
    }

    private static Set<String> scan(String url, String prefix) {
        Set<String> keys = new TreeSet<>();
        try (Jedis jedis = connect(url)) {
            ScanParams params = new ScanParams().match(globEscape(prefix) + "*").count(1000);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, params);
                keys.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return keys;
    }

    private static Jedis connect(String url) {
        RedisUrl u = RedisUrl.parse("REDIS_URL", url);
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) TIMEOUT.toMillis())
                .socketTimeoutMillis((int) TIMEOUT.toMillis())
                .autoNegotiateProtocol(false)
                .database(u.database())
                .ssl(u.tls());
        if (u.user() != null) {
            config.user(u.user());
        }
        if (u.password() != null) {
            config.password(u.password());
        }
        return new Jedis(new HostAndPort(u.host(), u.port()), config.build());
    }

    /** Escapes the glob characters of MATCH, so that a prefix matches only itself. */
    private static String globEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
