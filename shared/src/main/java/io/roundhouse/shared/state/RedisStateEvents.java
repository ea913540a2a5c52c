package io.roundhouse.shared.state;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Change events on one Redis pub/sub channel. Each subscription has its own thread and its own connection outside the
 * pool; it resubscribes with exponential backoff when the connection drops.
 */
final class RedisStateEvents implements StateEvents {

    private static final Logger log = LoggerFactory.getLogger(RedisStateEvents.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** First wait before resubscribing: short, since a Redis failover takes about a second. */
    static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    /** Longest wait: a router must notice a returned Redis within a few seconds. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final RedisGateway redis;
    private final RedisKeys keys;
    private final Set<RedisSubscription> live = ConcurrentHashMap.newKeySet();

    RedisStateEvents(RedisGateway redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
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
        s.thread.start();
        return s;
    }

    /** Closes every subscription still open (the facade is closing). */
    void closeAll() {
        for (RedisSubscription s : live) {
            s.close();
        }
    }

    private final class RedisSubscription implements Subscription, Runnable {

        private final Consumer<StateEvent> listener;
        private final Runnable onSubscribed;
        private final Thread thread;
        private volatile boolean closed;
        private volatile Connection connection;
        private volatile long backoffMillis = MIN_BACKOFF.toMillis();

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
                Connection c = null;
                try {
                    c = redis.openDedicated();
                    connection = c;
                    if (closed) {
                        break;
                    }
                    new Delivery().proceed(c, channel);
                } catch (RuntimeException e) {
                    if (closed) {
                        break;
                    }
                    log.warn("event subscription to {} at {} lost: {}; resubscribing in {} ms",
                            channel, redis.where(), e.toString(), backoffMillis);
                    try {
                        Thread.sleep(backoffMillis);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
                } finally {
                    connection = null;
                    if (c != null) {
                        c.close();
                    }
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

            @Override
            public void onSubscribe(String channel, int subscribedChannels) {
                backoffMillis = MIN_BACKOFF.toMillis();
                try {
                    onSubscribed.run();
                } catch (RuntimeException e) {
                    log.warn("on-subscribe callback for {} failed: {}", channel, e.toString(), e);
                }
            }

            @Override
            public void onMessage(String channel, String message) {
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
