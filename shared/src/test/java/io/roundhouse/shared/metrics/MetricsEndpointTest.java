package io.roundhouse.shared.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.shared.config.ConfigException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MetricsEndpointTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void servesTheRegistrysMetersInPrometheusFormat() throws Exception {
        PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
        registry.counter("roundhouse.test.calls", "service", "conference").increment(3);
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(registry, new InetSocketAddress("127.0.0.1", 0))) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("roundhouse_test_calls_total{service=\"conference\"} 3.0");
        }
    }

    @Test
    void absentBlockMeansNoEndpoint() throws Exception {
        assertThat(MetricsEndpoint.listenAddress(YAML.readTree("{}").get("metrics"))).isEmpty();
    }

    @Test
    void listenAddressAcceptsIpv4AndBracketedIpv6() throws Exception {
        assertThat(MetricsEndpoint.listenAddress(YAML.readTree("listen: \"127.0.0.1:9464\"")))
                .contains(new InetSocketAddress("127.0.0.1", 9464));
        assertThat(MetricsEndpoint.listenAddress(YAML.readTree("listen: \"[::1]:9464\"")))
                .contains(new InetSocketAddress("::1", 9464));
    }

    @Test
    void badListenAddressNamesTheKey() throws Exception {
        assertThatThrownBy(() -> MetricsEndpoint.listenAddress(YAML.readTree("listen: \"127.0.0.1\"")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("metrics.listen: '127.0.0.1' (expected: host:port");
        assertThatThrownBy(() -> MetricsEndpoint.listenAddress(YAML.readTree("listen: \"127.0.0.1:http\"")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("metrics.listen:");
        assertThatThrownBy(() -> MetricsEndpoint.listenAddress(YAML.readTree("port: 9464")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("metrics.port: unknown key");
    }

    @Test
    void aListenerBeyondLoopbackIsWarnedAbout() {
        assertThat(MetricsEndpoint.exposureWarning(new InetSocketAddress("0.0.0.0", 9464)))
                .hasValueSatisfying(w -> assertThat(w).contains("0.0.0.0:9464").contains("no authentication"));
        assertThat(MetricsEndpoint.exposureWarning(new InetSocketAddress("192.0.2.7", 9464))).isPresent();
    }

    @Test
    void aLoopbackListenerIsNotWarnedAbout() {
        assertThat(MetricsEndpoint.exposureWarning(new InetSocketAddress("127.0.0.1", 9464))).isEmpty();
        assertThat(MetricsEndpoint.exposureWarning(new InetSocketAddress("::1", 9464))).isEmpty();
    }
}
