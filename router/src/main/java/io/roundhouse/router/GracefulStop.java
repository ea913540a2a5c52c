package io.roundhouse.router;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the router stops on SIGTERM (and Ctrl-C): it stops taking new calls (503 with Retry-After, so callers and
 * upstream proxies go to another router), lets the transactions in progress finish for up to {@code sip.drain-timeout},
 * then closes everything, saying in the log what it does at each step. Runs once, whoever asks first.
 */
final class GracefulStop {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private final Router router;
    private final Supplier<Duration> drainTimeout;
    private final Runnable closeTheRest;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    /**
     * @param drainTimeout the running config's {@code sip.drain-timeout} (a reload may change it)
     * @param closeTheRest stops dispatch, the admin API and metrics once the SIP engine is closed
     */
    GracefulStop(Router router, Supplier<Duration> drainTimeout, Runnable closeTheRest) {
        this.router = router;
        this.drainTimeout = drainTimeout;
        this.closeTheRest = closeTheRest;
    }

    /** Drains, then closes; a second call (another signal, the shutdown hook) waits for the first to finish. */
    void run(String why) {
        if (!started.compareAndSet(false, true)) {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            drainAndClose(why);
        } finally {
            done.countDown();
        }
    }

    private void drainAndClose(String why) {
        Duration timeout = drainTimeout.get();
        long start = System.nanoTime();
        try {
            int inProgress = router.awaitingFinalResponse();
            LOG.info("{}: stopping; new calls get 503 with Retry-After, waiting up to {} ms (sip.drain-timeout) for"
                    + " {} transactions in progress", why, timeout.toMillis(), inProgress);
            int left = router.drain(timeout);
            long took = (System.nanoTime() - start) / 1_000_000;
            if (left == 0) {
                LOG.info("drained: no transaction in progress after {} ms", took);
            } else {
                LOG.warn("drain timeout: {} transactions still in progress after {} ms are cut", left, took);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("drain interrupted: stopping now");
        } catch (RuntimeException e) {
            LOG.warn("drain failed ({}): stopping now", e.toString());
        }
        router.close();
        closeTheRest.run();
        LOG.info("shutdown complete");
    }
}
