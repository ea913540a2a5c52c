package io.roundhouse.router.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.dispatch.TestCall;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.shared.config.ConfigException;
import org.junit.jupiter.api.Test;

class ServiceRulesTest {

    /** The example of issue 4, exactly as written there. */
    static final String ISSUE_EXAMPLE = """
            services:
              - name: conference
                match: { ruri-user: "^conf-(?<room>[0-9]+)$" }
                app: Conference
                app-data: "${room}"
                affinity: "${ruri-host}:${room}"   # the same room always lands on the node hosting it
              - name: support-desk
                match: { ruri-user: "^2[0-9]{3}$" }
                app: Queue
                app-data: "support"
                nodes: [ asterisk-1, asterisk-2 ]  # primary first, then backup
                strategy: priority
              - name: default
                app: Default
                strategy: least-loaded
            """;

    /** The nodes the issue's example names, known by id (their agents publish where they are). */
    static final String NODES = "nodes: [ { id: asterisk-1 }, { id: asterisk-2 } ]\n";

    static ServiceRules rules(String text) {
        return TestRouters.live(NODES + text).services();
    }

    @Test
    void issueExampleClassifiesConferenceWithRoomAndAffinityKey() {
        ServiceRules rules = rules(ISSUE_EXAMPLE);
        ServiceMatch m = rules.classify(TestCall.invite("c1", "conf-1000", "example.com")).orElseThrow();
        assertThat(m.service()).isEqualTo("conference");
        assertThat(m.app()).isEqualTo("Conference");
        assertThat(m.appData()).isEqualTo("1000");
        assertThat(m.affinityKey()).contains("example.com:1000");
        assertThat(m.rule().strategy()).isEqualTo(StrategyKind.LEAST_LOADED);
    }

    @Test
    void issueExampleSendsExtensionsToThePriorityPool() {
        ServiceMatch m = rules(ISSUE_EXAMPLE).classify(TestCall.invite("c1", "2042", "example.com")).orElseThrow();
        assertThat(m.service()).isEqualTo("support-desk");
        assertThat(m.app()).isEqualTo("Queue");
        assertThat(m.appData()).isEqualTo("support");
        assertThat(m.affinityKey()).isEmpty();
        assertThat(m.rule().nodes()).containsExactly("asterisk-1", "asterisk-2");
        assertThat(m.rule().strategy()).isEqualTo(StrategyKind.PRIORITY);
    }

    @Test
    void issueExampleFallsThroughToDefaultForAnythingElse() {
        ServiceRules rules = rules(ISSUE_EXAMPLE);
        assertThat(rules.classify(TestCall.invite("c1", "3042", "x")).orElseThrow().service()).isEqualTo("default");
        assertThat(rules.classify(TestCall.invite("c1", "conf-abc", "x")).orElseThrow().service()).isEqualTo("default");
        assertThat(rules.classify(TestCall.invite("c1", "", "x")).orElseThrow().appData()).isEmpty();
    }

    @Test
    void firstMatchingRuleWinsOverLaterOnes() {
        ServiceRules rules = rules("""
                services:
                  - { name: a, match: { ruri-user: "^1" }, app: A }
                  - { name: b, match: { ruri-user: "^1" }, app: B }
                """);
        assertThat(rules.classify(TestCall.invite("c", "100", "h")).orElseThrow().service()).isEqualTo("a");
        assertThat(rules.classify(TestCall.invite("c", "200", "h"))).isEmpty();
    }

    @Test
    void headerMatchSelectsTenantAndFeedsItsGroupsToTemplates() {
        ServiceRules rules = rules("""
                services:
                  - name: tenant-conf
                    match:
                      ruri-user: "^conf-(?<room>[0-9]+)$"
                      ruri-host: "^(?<domain>[a-z.]+)$"
                      headers: { From: "@(?<tenant>acme|globex)\\\\.example>?" }
                    app: Conference
                    app-data: "${tenant}-${room}"
                    affinity: "${domain}:${tenant}:${room}:${from-user}"
                """);
        TestCall call = TestCall.invite("c", "conf-7", "pbx.example").withFromUser("bob")
                .withHeader("From", "<sip:bob@acme.example>;tag=1");
        ServiceMatch m = rules.classify(call).orElseThrow();
        assertThat(m.appData()).isEqualTo("acme-7");
        assertThat(m.affinityKey()).contains("pbx.example:acme:7:bob");
        assertThat(rules.classify(TestCall.invite("c", "conf-7", "pbx.example")))
                .as("the header is required").isEmpty();
        assertThat(rules.classify(call.withHeader("From", "<sip:bob@initech.example>"))).isEmpty();
    }

    @Test
    void renderedValuesNeverCarryLineBreaks() {
        ServiceRules rules = rules("""
                services:
                  - { name: h, match: { headers: { X-Room: "(?s)(?<r>.*)" } }, app: A, app-data: "${r}" }
                """);
        ServiceMatch m = rules.classify(TestCall.invite("c", "u", "h").withHeader("X-Room", "1\r\nX-Exec-App: Evil"))
                .orElseThrow();
        assertThat(m.appData()).isEqualTo("1%0D%0AX-Exec-App:%20Evil").doesNotContain("\r", "\n");
    }

    @Test
    void affinityKeysAreOneWordWhateverTheCallerSends() {
        ServiceRules rules = rules("""
                services:
                  - { name: h, match: { headers: { X-Room: "(?<r>.*)" } }, app: A, affinity: "t:${r}" }
                """);
        assertThat(rules.classify(TestCall.invite("c", "u", "h").withHeader("X-Room", "big room\t7")).orElseThrow()
                .affinityKey()).contains("t:big%20room%097");
        assertThatThrownBy(() -> rules("services:\n  - { name: c, app: C, affinity: \"a b\" }\n"))
                .hasMessageStartingWith("services[0].affinity: \"a b\" (expected: no spaces");
    }

    @Test
    void affinityKeyRenderingEmptyMeansNoPlacement() {
        ServiceRules rules = rules("""
                services:
                  - { name: c, match: { ruri-user: "^(?<room>[0-9]+)?x$" }, app: C, affinity: "${room}" }
                """);
        assertThat(rules.classify(TestCall.invite("c", "x", "h")).orElseThrow().affinityKey()).isEmpty();
        assertThat(rules.classify(TestCall.invite("c", "7x", "h")).orElseThrow().affinityKey()).contains("7");
    }

    @Test
    void hashRuleReadsItsKey() {
        ServiceRule r = rules("""
                services:
                  - { name: h, app: A, strategy: hash, hash-key: from-user }
                """).rules().get(0);
        assertThat(r.strategy()).isEqualTo(StrategyKind.HASH);
        assertThat(r.hashKey()).isEqualTo(HashKey.FROM_USER);
    }

    @Test
    void unknownTemplateVariableIsRejectedWithItsKey() {
        assertThatThrownBy(() -> rules("""
                services:
                  - { name: c, match: { ruri-user: "^conf-(?<room>[0-9]+)$" }, app: C, app-data: "${rom}" }
                """)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("services[0].app-data"))
                .hasMessageContaining("${rom}");
    }

    @Test
    void badValuesAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> rules("services:\n  - { name: c, app: C, strategy: fastest }\n"))
                .hasMessageContaining("services[0].strategy: fastest (expected: least-loaded, weighted, round-robin, hash, priority)");
        assertThatThrownBy(() -> rules("services:\n  - { name: c, app: C, match: { ruri-user: \"(\" } }\n"))
                .hasMessageStartingWith("services[0].match.ruri-user");
        assertThatThrownBy(() -> rules("services:\n  - { name: c, app: C, mtach: {} }\n"))
                .hasMessageStartingWith("services[0].mtach: unknown key");
        assertThatThrownBy(() -> rules("services:\n  - { name: c }\n"))
                .hasMessageStartingWith("services[0].app: missing");
        assertThatThrownBy(() -> rules("services:\n  - { name: c, app: C }\n  - { name: c, app: D }\n"))
                .hasMessageStartingWith("services[1].name: c");
        assertThatThrownBy(() -> rules("services:\n  - { name: c, app: C, hash-key: ruri }\n"))
                .hasMessageContaining("expected: strategy: hash");
        assertThatThrownBy(() -> rules("services: []\n")).hasMessageStartingWith("services: empty");
    }

    @Test
    void aPoolNamingANodeThatIsNotInNodesIsRefused() {
        assertThatThrownBy(() -> TestRouters.live("nodes: [ { id: asterisk-1 } ]\n" + ISSUE_EXAMPLE))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key())
                        .isEqualTo("services[1].nodes[1]"))
                .hasMessageStartingWith("services[1].nodes[1]: asterisk-2 (expected one of the nodes: [asterisk-1]");
    }

    @Test
    void absentServicesKeyMeansRoundRobinOverTheNodes() {
        assertThat(TestRouters.live("nodes: []\n").liveDispatch()).isFalse();
        assertThat(TestRouters.live(NODES + ISSUE_EXAMPLE).liveDispatch()).isTrue();
    }
}
