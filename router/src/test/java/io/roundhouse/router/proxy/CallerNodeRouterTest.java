package io.roundhouse.router.proxy;

import io.roundhouse.router.Router;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The set-up most proxy tests share: a caller, one node that answers, and the router each test starts between them. */
abstract class CallerNodeRouterTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    final SipTestAgent caller = SipTestAgent.start();
    final SipTestAgent node = SipTestAgent.start().uas(UasBehavior.answer());
    Router router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        caller.close();
        node.close();
    }
}
