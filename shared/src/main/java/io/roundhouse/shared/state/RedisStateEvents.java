package io.roundhouse.shared.state;

import io.roundhouse.shared.retry.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Change events on one Redis pub/sub channel. Each subscription has its own thread and its own connection outside the
 * pool; it resubscribes with exponential backoff when the connection drops.
 *
 * <p>A subscribed connection waits for messages without a read timeout, so a silently dead peer (a Redis host that
 * vanished without a TCP reset) would leave it waiting forever. A watchdog therefore PINGs every subscription each
 * {@code pingInterval} and cuts the connection when no reply or message came within {@code pongTimeout} of a ping;
 * the subscription then reconnects like after any other drop.
 */
final class RedisStateEvents implements StateEvents {

    private static final Logger log = LoggerFactory.getLogger(RedisStateEvents.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** First wait before resubscribing: short, since a Redis failover takes about a second. */
    static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    /** Longest wait: a router must notice a returned Redis within a few seconds. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** How often an idle subscription proves its connection alive: a dead one is found within about twice that. */
    static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(5);

    private final RedisGateway redis;
    private final RedisKeys keys;
    private final Duration pingInterval;
    private final long pongTimeoutNanos;
    private final LongSupplier nanoClock;
    private final Set<RedisSubscription> live = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService watchdog;

    /**
     * @param pingInterval how often the watchdog pings each subscription
     * @param pongTimeout  how long after a ping a silent connection is declared dead (the command socket timeout)
     * @param nanoClock    monotonic clock, {@code System::nanoTime} outside tests
     */
    RedisStateEvents(RedisGateway redis, RedisKeys keys, Duration pingInterval, Duration pongTimeout, LongSupplier nanoClock) {
        this.redis = redis;
        this.keys = keys;
        this.pingInterval = pingInterval;
        this.pongTimeoutNanos = pongTimeout.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public void publish(StateEvent event) {
        String channel = keys.events();
        String line = event.toWire();
        // Re-parse so that a subject with a space cannot put an unreadable line on the channel.
        StateEvent.fromWire(line);
        redis.call("publish event", channel, c -> c.publish(channel, line));
    }

    @Override
    public Subscription subscribe(Consumer<StateEvent> listener) {
        return subscribe(listener, () -> { });
    }

    @Override
    public Subscription subscribe(Consumer<StateEvent> listener, Runnable onSubscribed) {
        RedisSubscription s = new RedisSubscription(listener, onSubscribed);
        live.add(s);
        startWatchdog();
        s.thread.start();
        return s;
    }

    /** Closes every subscription still open and the watchdog (the facade is closing). */
    void closeAll() {
        for (RedisSubscription s : live) {
            s.close();
        }
        synchronized (this) {
            if (watchdog != null) {
                watchdog.shutdownNow();
            }
        }
    }

    private synchronized void startWatchdog() {
        if (watchdog != null) {
            return;
        }
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rh-events-watchdog-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        long period = pingInterval.toNanos();
        watchdog.scheduleWithFixedDelay(() -> {
            for (RedisSubscription s : live) {
                s.checkAlive();
            }
        }, period, period, TimeUnit.NANOSECONDS);
    }

    private final class RedisSubscription implements Subscription, Runnable {

        private final Consumer<StateEvent> listener;
        private final Runnable onSubscribed;
        private final Thread thread;
        private volatile boolean closed;
        private volatile Connection connection;
        private volatile Delivery delivery;
        private final Backoff backoff = new Backoff(MIN_BACKOFF, MAX_BACKOFF,
                () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());

        RedisSubscription(Consumer<StateEvent> listener, Runnable onSubscribed) {
            this.listener = listener;
            this.onSubscribed = onSubscribed;
            this.thread = new Thread(this, "rh-events-" + THREADS.incrementAndGet());
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            String channel = keys.events();
            while (!closed) {
                RuntimeException failure = attempt(channel);
                if (closed) {
                    break;
                }
                if (failure != null) {
                    // Jittered: routers that lost the same Redis (a failover) do not all come back in step.
                    long delay = backoff.nextDelay().toMillis();
                    log.warn("event subscription to {} at {} lost: {}; resubscribing in {} ms",
                            channel, redis.where(), failure.toString(), delay);
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }

        /** One connection's life: subscribe and deliver until it breaks; returns why it ended, null if cleanly. */
        private RuntimeException attempt(String channel) {
            Connection c = null;
            try {
                c = redis.openDedicated();
                connection = c;
                if (closed) {
                    return null;
                }
                Delivery d = new Delivery();
                delivery = d;
                d.proceed(c, channel);
                return null;
            } catch (RuntimeException e) {
                return e;
            } finally {
                delivery = null;
                connection = null;
                if (c != null) {
                    c.close();
                }
            }
        }

        /** Called by the watchdog: cut a connection that stayed silent after a ping, else ping it. */
        void checkAlive() {
            Delivery d = delivery;
            Connection c = connection;
            if (closed || d == null || c == null || !d.isSubscribed()) {
                return;
            }
            long now = nanoClock.getAsLong();
            long pingSent = d.pingSentNanos;
            if (pingSent != 0 && d.heardNanos - pingSent < 0 && now - pingSent > pongTimeoutNanos) {
                log.warn("event subscription to {} at {} silent for {} ms after a ping; reconnecting",
                        keys.events(), redis.where(), TimeUnit.NANOSECONDS.toMillis(now - pingSent));
                c.disconnect();
                return;
            }
            if (pingSent == 0 || d.heardNanos - pingSent >= 0) {
                try {
                    d.pingSentNanos = now;
                    d.ping();
                } catch (RuntimeException e) {
                    log.warn("event subscription to {} at {}: ping failed: {}; reconnecting",
                            keys.events(), redis.where(), e.toString());
                    c.disconnect();
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            live.remove(this);
            Connection c = connection;
            if (c != null) {
                // Closing the socket ends the blocking read at once; UNSUBSCRIBE would need a live connection.
                c.disconnect();
            }
            thread.interrupt();
            if (Thread.currentThread() != thread) {
                try {
                    thread.join(MAX_BACKOFF.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** One subscription attempt's callbacks (Jedis' pub/sub objects are not reusable across connections). */
        private final class Delivery extends JedisPubSub {

            /** When the last ping was sent and when anything last arrived; 0 before the first ping. */
            volatile long pingSentNanos;
            volatile long heardNanos = nanoClock.getAsLong();

            @Override
            public void onSubscribe(String channel, int subscribedChannels) {
                heardNanos = nanoClock.getAsLong();
                backoff.reset();
                try {
                    onSubscribed.run();
                } catch (RuntimeException e) {
                    log.warn("on-subscribe callback for {} failed: {}", channel, e.toString(), e);
                }
            }

            @Override
            public void onPong(String pattern) {
                heardNanos = nanoClock.getAsLong();
            }

            @Override
            public void onMessage(String channel, String message) {
                heardNanos = nanoClock.getAsLong();
                StateEvent event;
                try {
                    event = StateEvent.fromWire(message);
                } catch (IllegalArgumentException e) {
                    log.warn("dropping unreadable event on {}: {}", channel, e.getMessage());
                    return;
                }
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    log.warn("event listener failed on '{}': {}", message, e.toString(), e);
                }
            }
        }
    }
}
