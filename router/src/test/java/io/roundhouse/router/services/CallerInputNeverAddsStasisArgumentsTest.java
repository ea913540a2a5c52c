package io.roundhouse.router.services;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.dispatch.TestCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A caller's value rendered into X-Exec-App-Data or X-Exec-App-Placement is always one Stasis argument: every character
 * that the dialplan would split on or evaluate is percent-encoded, while the operator's own template text (commas
 * included) is kept. The agent's HandoffDialplanTest runs these exact renderings through our extensions.conf.
 */
@Timeout(10)
class CallerInputNeverAddsStasisArgumentsTest {

    private static final ServiceRules RULES = rules("""
            services:
              - name: conference
                match: { ruri-user: "^conf-(?<room>.+)$" }
                app: Conference
                app-data: "${room},${ruri-host}"
                affinity: "${ruri-host}:${room}"
            """);

    private static ServiceRules rules(String yaml) {
        return ServiceRulesTest.rules(yaml);
    }

    private static ServiceMatch classify(String user) {
        return RULES.classify(TestCall.invite("c", user, "example.com")).orElseThrow();
    }

    @Test
    void aCommaInTheRoomCannotNameAnotherPlacement() {
        ServiceMatch m = classify("conf-1000,placement=victim.example");
        assertThat(m.appData()).isEqualTo("1000%2Cplacement%3Dvictim.example,example.com");
        assertThat(m.affinityKey()).contains("example.com:1000%2Cplacement%3Dvictim.example");
    }

    @Test
    void quotesBackslashesParenthesesBracketsAndVariablesAreEncodedToo() {
        assertThat(classify("conf-a\"b\\c(d)e[f]g${h}i|j;k").appData())
                .isEqualTo("a%22b%5Cc%28d%29e%5Bf%5Dg%24%7Bh%7Di%7Cj%3Bk,example.com");
    }

    @Test
    void ordinaryRoomsAndNumbersAreUnchanged() {
        assertThat(classify("conf-1000").appData()).isEqualTo("1000,example.com");
        assertThat(classify("conf-sales.team_2~x+33*1#9@a:b!").appData()).isEqualTo("sales.team_2~x+33*1#9@a:b!,example.com");
    }

    @Test
    void twoDifferentValuesNeverRenderTheSame() {
        // Encoding, not dropping: "1,000" must not become room 1000, and a literal "%2C" must not pass for a comma.
        assertThat(classify("conf-1,000").appData()).isNotEqualTo(classify("conf-1000").appData());
        assertThat(classify("conf-1%2C000").appData()).isEqualTo("1%252C000,example.com")
                .isNotEqualTo(classify("conf-1,000").appData());
        assertThat(classify("conf-caf\u00e9").appData()).isEqualTo("caf%C3%A9,example.com");
    }
}
