package io.roundhouse.agent.ami;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.roundhouse.shared.retry.Backoff;
import io.roundhouse.agent.config.AmiSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.AuthenticationFailedException;
import org.asteriskjava.manager.EventTimeoutException;
import org.asteriskjava.manager.ManagerConnection;
import org.asteriskjava.manager.ManagerConnectionFactory;
import org.asteriskjava.manager.ManagerConnectionState;
import org.asteriskjava.manager.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent logged in to AMI and the {@link AsteriskMirror} current: log in, take a full snapshot, follow events,
 * resynchronize every {@code ami.resync-interval} (counting corrections), and after any failure reconnect with capped
 * exponential backoff and jitter, logging each failure.
 *
 * <p>Each attempt uses a fresh asterisk-java {@link ManagerConnection}, and a lost one is logged off at once: that stops
 * asterisk-java's own reconnect thread (fixed 50 ms then 5 s retries, no jitter, no cap on log noise) so that this
 * class alone decides when to retry.
 */
public final class AmiLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AmiLink.class);

    private enum Signal { LOST, RESYNC }

    private final AmiSettings settings;
    private final AsteriskMirror mirror;
    private final Backoff backoff;
    private final Counter corrections;
    private final Counter failures;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean inAction;
    private volatile ManagerConnection current;

    public AmiLink(AmiSettings settings, AsteriskMirror mirror, MeterRegistry meters) {
        this.settings = settings;
        this.mirror = mirror;
        this.backoff = new Backoff(settings.reconnectMin(), settings.reconnectMax(),
                () -> ThreadLocalRandom.current().nextDouble());
        this.corrections = Counter.builder("roundhouse.agent.ami.resync.corrections")
                .description("AMI resynchronizations that found the event-fed channels or rooms wrong and corrected them")
                .register(meters);
        this.failures = Counter.builder("roundhouse.agent.ami.connection.failures")
                .description("AMI connection attempts that failed or connections that were lost (each is followed by a"
                        + " reconnect after backoff)").register(meters);
        this.thread = new Thread(this::run, "ami-link");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Connection attempts that failed or connections that were lost so far. */
    public double failures() {
        return failures.count();
    }

    /** Resynchronizations that corrected the state so far. */
    public double corrections() {
        return corrections.count();
    }

    private void run() {
        while (!closed) {
            String failure = session();
            if (closed) {
                break;
            }
            failures.increment();
            Duration delay = backoff.nextDelay();
            log.warn("AMI {}:{} unavailable (failure {} in a row): {}; retrying in {} ms", settings.host(),
                    settings.port(), backoff.failures(), failure, delay.toMillis());
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            }
        }
        log.info("AMI link stopped");
    }

    /** One connection from login to loss; returns why it ended. */
    private String session() {
        signals.clear();
        ManagerConnection connection = new ManagerConnectionFactory(settings.host(), settings.port(),
                settings.username(), settings.secret()).createManagerConnection();
        connection.setSocketTimeout((int) settings.actionTimeout().toMillis());
        EventFollower follower = new EventFollower(mirror, new EventFollower.Signals() {
            @Override
            public void connectionLost() {
                signal(Signal.LOST);
            }

            @Override
            public void resyncWanted() {
                signal(Signal.RESYNC);
            }
        });
        connection.addEventListener(follower);
        current = connection;
        SnapshotReader reader = new SnapshotReader(connection, settings.username(),
                settings.actionTimeout().toMillis());
        try {
            // Journal from before the login: events that arrive while the first snapshot is read are replayed on it.
            mirror.beginSnapshot();
            inAction = true;
            connection.login();
            mirror.version(reader.version());
            Drift initial = mirror.applySnapshot(reader.read());
            inAction = false;
            log.info("AMI connected to {}:{} (Asterisk {}): {} channels, rooms {}", settings.host(), settings.port(),
                    mirror.version(), initial.channelsAfter(), initial.roomsAfter());
            backoff.reset();
            signals.remove(Signal.RESYNC); // the FullyBooted that follows every login is covered by this snapshot
            return follow(reader);
        } catch (AuthenticationFailedException e) {
            return "login refused for user '" + settings.username() + "': " + e.getMessage();
        } catch (IOException | TimeoutException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (AmiActionException e) {
            return "snapshot failed: " + e.getMessage();
        } catch (InterruptedException e) {
            return "interrupted";
        } catch (RuntimeException e) {
            // asterisk-java throws IllegalStateException when the socket went away under an action.
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            inAction = false;
            Thread.interrupted(); // a loss signalled during an action interrupted us; that interrupt is spent
            mirror.markUnreachable();
            connection.removeEventListener(follower);
            current = null;
            logoff(connection);
        }
    }

    /** Follows events until the connection is lost, resynchronizing periodically. */
    private String follow(SnapshotReader reader)
            throws InterruptedException, IOException, EventTimeoutException, AmiActionException {
        long resyncNanos = settings.resyncInterval().toNanos();
        long nextResync = System.nanoTime() + resyncNanos;
        while (!closed) {
            long wait = nextResync - System.nanoTime();
            Signal signal = wait > 0 ? signals.poll(wait, TimeUnit.NANOSECONDS) : Signal.RESYNC;
            if (closed) {
                return "closed";
            }
            if (signal == Signal.LOST) {
                return "connection lost";
            }
            if (signal == Signal.RESYNC || System.nanoTime() - nextResync >= 0) {
                resync(reader);
                nextResync = System.nanoTime() + resyncNanos;
            }
        }
        return "closed";
    }

    private void resync(SnapshotReader reader) throws IOException, EventTimeoutException, AmiActionException {
        mirror.beginSnapshot();
        inAction = true;
        Drift drift;
        try {
            drift = mirror.applySnapshot(reader.read());
        } finally {
            inAction = false;
        }
        if (!drift.none()) {
            corrections.increment();
            log.warn("AMI resync corrected drift: {} (corrections so far: {})", drift, (long) corrections.count());
        } else {
            log.debug("AMI resync: no drift ({} channels)", drift.channelsAfter());
        }
    }

    private void signal(Signal signal) {
        signals.offer(signal);
        if (signal == Signal.LOST && inAction) {
            // asterisk-java does not fail pending actions when the socket closes; waking the link thread saves
            // waiting for the action timeout.
            thread.interrupt();
        }
    }

    private static void logoff(ManagerConnection connection) {
        ManagerConnectionState state = connection.getState();
        if (state == ManagerConnectionState.CONNECTED || state == ManagerConnectionState.RECONNECTING) {
            try {
                connection.logoff();
            } catch (RuntimeException e) {
                log.debug("AMI logoff of a dead connection failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        ManagerConnection connection = current;
        if (connection != null) {
            logoff(connection);
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
