package io.roundhouse.shared.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProcessMetricsTest {

    @Test
    void jvmAndProcessMetricsAreScrapedInBaseUnitsWithHelp() throws Exception {
        PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
        try (AutoCloseable gc = ProcessMetrics.bindTo(registry)) {
            String text = registry.scrape();
            assertThat(text).contains("# HELP jvm_memory_used_bytes ").contains("jvm_threads_live_threads")
                    .contains("process_cpu_usage").contains("process_uptime_seconds")
                    .contains("process_files_open_files").contains("jvm_classes_loaded_classes");
        }
    }
}
