package io.roundhouse.agent;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.agent.config.AgentConfig;
import io.roundhouse.agent.config.AmiSettings;
import io.roundhouse.agent.config.DrainSettings;
import io.roundhouse.agent.config.NodeSettings;
import io.roundhouse.agent.config.PublishSettings;
import io.roundhouse.agent.fakes.ami.AsteriskFixtures;
import io.roundhouse.agent.services.ServicesSettings;
import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStates;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Builds agents for the tests: loopback fake AMI, a test's Redis, short timers. */
public final class AgentFixture {

    public static final String NODE = "asterisk-t1";
    private static final String TWO_CALLS = "ami-events-confbridge-2calls.txt";

    private AgentFixture() {
    }

    public static AgentConfig config(int amiPort, RedisSettings redis, Duration drainTimeout) {
        return config(amiPort, redis, drainTimeout, Optional.empty());
    }

    public static AgentConfig config(int amiPort, RedisSettings redis, Duration drainTimeout,
                                     Optional<AriSettings> ari) {
        return new AgentConfig(
                new NodeSettings(NODE, "sip:127.0.0.1:5090", 200, NodeSettings.DEFAULT_PID_FILE),
                redis,
                new AmiSettings("127.0.0.1", amiPort, "roundhouse", "s3cret", Duration.ofSeconds(30),
                        Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMillis(400)),
                new PublishSettings(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMillis(100),
                        Duration.ofMillis(100), Duration.ofMillis(500)),
                new DrainSettings(drainTimeout, drainTimeout),
                ari,
                ServicesSettings.parse(null),
                Optional.empty());
    }

    /**
     * An agent whose CPU gauge reads the /proc of an idle host ({@link IdleProc}, 0% busy): admission thresholds on CPU
     * must not depend on what else this machine runs during the test.
     */
    public static Agent agent(AgentConfig config, Agent.Contract contract) {
        return new Agent(config, contract, new SimpleMeterRegistry(), IdleProc.start(), Clock.systemUTC());
    }

    /** Events of the captured two-caller session up to (not including) the first hang-up request. */
    public static List<String> twoCallersJoin() {
        List<String> events = AsteriskFixtures.sessionEvents(TWO_CALLS);
        return events.subList(0, firstHangup(events));
    }

    /** The rest of that session: both callers leave and hang up, the room ends. */
    public static List<String> twoCallersLeave() {
        List<String> events = AsteriskFixtures.sessionEvents(TWO_CALLS);
        return events.subList(firstHangup(events), events.size());
    }

    private static int firstHangup(List<String> events) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).startsWith("Event: HangupRequest")) {
                return i;
            }
        }
        throw new AssertionError("no HangupRequest in " + TWO_CALLS);
    }

    /** Real Redis underneath; remembers every state the agent wrote, in order, to assert on transient states. */
    public static final class RecordingNodeStates implements NodeStates {
        private final NodeStates redis;
        public final List<NodeState> written = new CopyOnWriteArrayList<>();

        public RecordingNodeStates(NodeStates redis) {
            this.redis = redis;
        }

        @Override
        public void publish(NodeState state, Duration ttl) {
            redis.publish(state, ttl);
            written.add(state);
        }

        @Override
        public Optional<NodeState> read(String nodeId) {
            return redis.read(nodeId);
        }

        @Override
        public List<NodeState> readAll() {
            return redis.readAll();
        }

        @Override
        public void remove(String nodeId) {
            redis.remove(nodeId);
        }
    }
}
