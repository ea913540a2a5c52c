package io.roundhouse.shared.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.shared.config.ConfigException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one template engine: the router's app-data and affinity, the agent's placement-key. */
@Timeout(5)
class TemplateTest {

    @Test
    void rendersVariablesIntoTheOperatorsTextKeepingItsOwnCommas() {
        Template t = Template.compile("services.Conference.placement-key", "${arg1}:${room},x", Set.of("room", "arg1"));

        assertThat(t.render(Map.of("room", "1000", "arg1", "example.com")::get)).isEqualTo("example.com:1000,x");
    }

    @Test
    void aCallersCommaOrSpaceIsEncodedSoItNeverAddsAStasisArgument() {
        Template t = Template.compile("app-data", "${room}", Set.of("room"));

        assertThat(t.render(Map.of("room", "1000,placement=other")::get)).isEqualTo("1000%2Cplacement%3Dother");
        assertThat(t.render(name -> null)).isEmpty();
    }

    @Test
    void anUnknownOrUnclosedVariableIsRefusedWithTheKey() {
        assertThatThrownBy(() -> Template.compile("services.Conference.placement-key", "${tenant}", Set.of("room")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("services.Conference.placement-key")
                .hasMessageContaining("unknown variable ${tenant}");
        assertThatThrownBy(() -> Template.compile("affinity", "${room", Set.of("room")))
                .hasMessageContaining("closing }");
    }
}
