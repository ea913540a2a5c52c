package io.roundhouse.agent.dialplan;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.agent.dialplan.DialplanEvaluator.Outcome;
import io.roundhouse.agent.dialplan.DialplanEvaluator.StasisOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our extensions.conf with the X-Exec-App* values the router renders from caller input (the router's
 * CallerInputNeverAddsStasisArgumentsTest pins these exact strings): the router percent-encodes every character of a
 * caller's value that Asterisk splits on or evaluates, so the room stays one Stasis argument and the placement key the
 * router chose is the only {@code placement=} argument. Unencoded, the same caller input names another placement.
 */
@Timeout(10)
class CallerInputStaysOneStasisArgumentTest {

    private static final DialplanEvaluator OURS = DialplanEvaluator.load(
            HandoffDialplanTest.projectFile("asterisk-conf/extensions.conf"));

    /** The Stasis arguments as Asterisk splits them (the values here hold no quotes, parentheses or backslashes). */
    private static List<String> stasisArguments(Map<String, String> headers) {
        Outcome outcome = OURS.run("from-router", "conf-1000", headers, StasisOutcome.SUCCESS);
        String step = outcome.trace().stream().filter(s -> s.contains(" Stasis(")).findFirst().orElseThrow();
        String args = step.substring(step.indexOf(" Stasis(") + 8, step.length() - 1);
        assertThat(args).doesNotContain("\"", "\\", "(", ")");
        return List.of(args.split(",", -1));
    }

    @Test
    void aCommaFromTheCallerWouldHaveNamedAnotherPlacement() {
        List<String> args = stasisArguments(Map.of("X-Exec-App", "Conference",
                "X-Exec-App-Data", "1000,placement=victim.example", "X-Exec-App-Placement", "example.com:1000"));
        assertThat(args).containsExactly("Conference", "1000", "placement=victim.example", "placement=example.com:1000");
    }

    @Test
    void theRoutersEncodedRoomIsOneArgumentAndItsPlacementTheOnlyOne() {
        List<String> args = stasisArguments(Map.of("X-Exec-App", "Conference",
                "X-Exec-App-Data", "1000%2Cplacement%3Dvictim.example,example.com",
                "X-Exec-App-Placement", "example.com:1000%2Cplacement%3Dvictim.example"));
        assertThat(args).containsExactly("Conference", "1000%2Cplacement%3Dvictim.example", "example.com",
                "placement=example.com:1000%2Cplacement%3Dvictim.example");
        assertThat(args).filteredOn(a -> a.startsWith("placement=")).hasSize(1);
    }

    @Test
    void encodedQuotesAndBracketsLeaveTheDialplansTestsIntact() {
        // Unencoded, a quote in the placement would end the string in $["${placement}" = ""] and change the branch.
        List<String> args = stasisArguments(Map.of("X-Exec-App", "Conference",
                "X-Exec-App-Data", "a%22b%5Cc%28d%29e%5Bf%5Dg%24%7Bh%7Di%7Cj%3Bk,example.com",
                "X-Exec-App-Placement", "example.com:%22%20%3D%20%22"));
        assertThat(args).containsExactly("Conference", "a%22b%5Cc%28d%29e%5Bf%5Dg%24%7Bh%7Di%7Cj%3Bk", "example.com",
                "placement=example.com:%22%20%3D%20%22");
    }
}
