package io.roundhouse.router.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** The router's logback.xml sends every log line through a non-blocking asynchronous appender to stdout. */
class LoggingNeverBlocksTheEventLoopTest {

    @Test
    void theRootLoggerWritesThroughAnAsyncAppenderThatNeverBlocks() throws Exception {
        // Tests run with shared's logback-test.xml; the router's production file is loaded into a context of its own.
        URL config = getClass().getResource("/logback.xml");
        assertThat(config).isNotNull();
        assertThat(config.getPath()).contains("router");
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(config);
            Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            Appender<ILoggingEvent> appender = root.getAppender("ASYNC");
            assertThat(appender).isInstanceOf(AsyncAppender.class);
            AsyncAppender async = (AsyncAppender) appender;
            assertThat(async.isNeverBlock()).isTrue();
            assertThat(async.isStarted()).isTrue();
            assertThat(async.getAppender("STDOUT")).isNotNull();
            assertThat(root.getAppender("STDOUT")).isNull(); // no synchronous path left
        } finally {
            context.stop();
        }
    }
}
