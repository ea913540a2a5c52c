package io.roundhouse.agent.dialplan;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.agent.dialplan.DialplanEvaluator.Outcome;
import io.roundhouse.agent.dialplan.DialplanEvaluator.StasisOutcome;
import io.roundhouse.agent.fakes.ari.AsteriskFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What asterisk-conf/extensions.conf answers the router, proven without an Asterisk in two steps. First, a tiny
 * dialplan evaluator is checked against reality: run on the configuration the fixtures were captured with, it must
 * execute exactly the priorities Asterisk 22.10.1 logged, and end with the hang-up causes whose SIP answers were
 * captured. Then the same evaluator runs our extensions.conf, and the causes it ends with are mapped to SIP answers
 * through the captured cause-to-answer pairs ({@code sip-*.response.sip}). What it does not prove: that a real
 * Asterisk loads our file (nothing here runs Asterisk).
 */
class HandoffDialplanTest {

    private static final Pattern EXECUTING = Pattern.compile("Executing \\[(.+?)\\] (\\w+)\\(\"[^\"]*\", \"(.*)\"\\) in new stack");
    private static final Pattern REASON_CAUSE = Pattern.compile("(?m)^Reason: Q\\.850;cause=(\\d+)\r?$");

    private static final DialplanEvaluator CAPTURED = DialplanEvaluator.load(
            AsteriskFixtures.file("asterisk-conf-test/extensions.conf"));
    private static final DialplanEvaluator OURS = DialplanEvaluator.load(projectFile("asterisk-conf/extensions.conf"));

    private static final Map<String, String> CONFERENCE_1000 = Map.of("X-Exec-App", "Conference", "X-Exec-App-Data", "1000");

    @Test
    void evaluatorReplaysTheCapturedDialplanExactlyAsAsteriskLoggedIt() {
        Outcome noHeader = CAPTURED.run("from-router", "1000", Map.of(), StasisOutcome.FAILED);
        assertThat(noHeader.trace()).isEqualTo(loggedSteps("asterisk-log-no-exec-app-header.txt"));
        assertThat(answerTo(noHeader.hangupCause())).isEqualTo(statusLine("sip-no-exec-app-header.response.sip"));

        Outcome notConnected = CAPTURED.run("from-router", "1000", CONFERENCE_1000, StasisOutcome.FAILED);
        assertThat(notConnected.trace()).isEqualTo(loggedSteps("asterisk-log-app-not-connected.txt"));
        assertThat(answerTo(notConnected.hangupCause())).isEqualTo(statusLine("sip-app-not-connected.response.sip"))
                .isEqualTo("SIP/2.0 603 Decline");

        Outcome mapped = CAPTURED.run("from-router", "mapped", CONFERENCE_1000, StasisOutcome.FAILED);
        assertThat(answerTo(mapped.hangupCause())).isEqualTo(statusLine("sip-app-not-connected-mapped.response.sip"));
    }

    @Test
    void ourDialplanAnswersAStasisFailureWith503Cause34SoTheRouterRedispatchesInsteadOf603() {
        for (String user : List.of("1000", "conf-1000", "+33123456789")) {
            Outcome outcome = OURS.run("from-router", user, CONFERENCE_1000, StasisOutcome.FAILED);

            assertThat(outcome.trace()).anyMatch(step -> step.endsWith(" Stasis(Conference,1000)"));
            assertThat(outcome.hangupCause()).as("cause for %s", user).isEqualTo(34);
            assertThat(answerTo(outcome.hangupCause())).isEqualTo("SIP/2.0 503 Service Unavailable")
                    .isEqualTo(statusLine("sip-bounce-reason-code-34.response.sip"));
        }
    }

    @Test
    void ourDialplanRejectsACallWithoutXExecAppWith403AndNeverRunsStasis() {
        Outcome outcome = OURS.run("from-router", "conf-1000", Map.of("X-Exec-App-Data", "1000"), StasisOutcome.SUCCESS);

        assertThat(outcome.trace()).noneMatch(step -> step.contains("Stasis("));
        assertThat(outcome.hangupCause()).isEqualTo(21);
        assertThat(answerTo(21)).isEqualTo("SIP/2.0 403 Forbidden")
                .isEqualTo(statusLine("sip-no-exec-app-header.response.sip"));
    }

    @Test
    void ourDialplanHandsTheHeadersToStasisAndHangsUpNormallyWhenTheAppReturnsTheChannel() {
        Outcome outcome = OURS.run("from-router", "conf-1000",
                Map.of("X-Exec-App", "Conference", "X-Exec-App-Data", "1000,example.com"), StasisOutcome.SUCCESS);

        assertThat(outcome.trace()).anyMatch(step -> step.endsWith(" Stasis(Conference,1000,example.com)"));
        assertThat(outcome.hangupCause()).isEqualTo(16);
    }

    @Test
    void ourDialplanPassesTheRoutersPlacementKeyAsTheLastStasisArgument() {
        Outcome outcome = OURS.run("from-router", "conf-1000", Map.of("X-Exec-App", "Conference",
                "X-Exec-App-Data", "1000", "X-Exec-App-Placement", "example.com:1000"), StasisOutcome.SUCCESS);

        assertThat(outcome.trace()).anyMatch(step -> step.endsWith(" Stasis(Conference,1000,placement=example.com:1000)"));
    }

    /** The SIP answer Asterisk 22.10.1 gave for a Q.850 cause, from every captured answer with a Reason header. */
    private static String answerTo(int cause) {
        Map<Integer, String> answers = new HashMap<>();
        try (Stream<Path> files = Files.list(AsteriskFixtures.dir())) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("sip-.*\\.response\\.sip")).toList()) {
                String message = Files.readString(file);
                Matcher reason = REASON_CAUSE.matcher(message);
                if (reason.find()) {
                    String status = message.substring(0, message.indexOf("\r\n"));
                    String previous = answers.put(Integer.parseInt(reason.group(1)), status);
                    assertThat(previous == null || previous.equals(status))
                            .as("captures disagree for cause %s: %s vs %s", reason.group(1), previous, status).isTrue();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        assertThat(answers).as("captured answers by cause").containsKey(cause);
        return answers.get(cause);
    }

    private static String statusLine(String fixture) {
        String message = AsteriskFixtures.text(fixture);
        return message.substring(0, message.indexOf("\r\n"));
    }

    private static List<String> loggedSteps(String fixture) {
        return AsteriskFixtures.text(fixture).lines().map(EXECUTING::matcher).filter(Matcher::find)
                .map(m -> m.group(1) + " " + m.group(2) + "(" + m.group(3) + ")").toList();
    }

    /** A file of this repository, found by walking up from the module directory. */
    static Path projectFile(String relative) {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve(relative))) {
                return at.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
