package io.roundhouse.router.dispatch.view;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis answered the last time anyone asked. Logged on each change only (a WARN when it goes, an INFO when it
 * returns), exposed as a gauge. While it is down, calls do not wait for Redis at all: they are decided on the last
 * known view, and the view thread keeps trying and notices the return.
 */
public final class RedisStatus {

    private static final Logger LOG = LoggerFactory.getLogger(RedisStatus.class);

    private final AtomicBoolean up = new AtomicBoolean(true);

    public boolean isUp() {
        return up.get();
    }

    /** A Redis operation failed; {@code what} names it for the log. */
    public void failed(String what, Exception e) {
        if (up.compareAndSet(true, false)) {
            LOG.warn("Redis unreachable ({}: {}); routing on the last known view, placements decided locally until it"
                    + " returns", what, e.toString());
        } else {
            LOG.debug("Redis still unreachable ({}: {})", what, e.toString());
        }
    }

    /** A Redis operation succeeded; true when this ends an outage. */
    public boolean succeeded() {
        if (up.compareAndSet(false, true)) {
            LOG.info("Redis reachable again; reconciling local placements");
            return true;
        }
        return false;
    }
}
