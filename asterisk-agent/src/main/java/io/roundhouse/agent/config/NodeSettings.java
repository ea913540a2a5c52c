package io.roundhouse.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The {@code node:} block: who this node is in the farm.
 *
 * @param id          node id, unique in the farm (e.g. {@code asterisk-1})
 * @param sipUri      where routers send this node's calls (e.g. {@code sip:10.0.0.11:5060})
 * @param maxChannels the node's channel capacity, published for least-loaded scoring
 * @param asteriskPidFile Asterisk's pid file, which names this node's Asterisk process (for its CPU gauge)
 */
public record NodeSettings(String id, String sipUri, int maxChannels, Path asteriskPidFile) {

    /** Where Asterisk writes its pid by default ({@code astrundir} of asterisk.conf). */
    public static final Path DEFAULT_PID_FILE = Path.of("/var/run/asterisk/asterisk.pid");

    /** The id becomes part of Redis keys. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public NodeSettings {
        id = Require.text("id", id, "the node's id, e.g. asterisk-1");
        if (!ID.matcher(id).matches()) {
            throw new ConfigException("id", "'" + id + "' (expected: letters, digits, '.', '_' or '-',"
                    + " at most 64, as it becomes part of Redis keys)");
        }
        sipUri = Require.text("sip-uri", sipUri, "a SIP URI such as sip:10.0.0.11:5060");
        if (!sipUri.startsWith("sip:") && !sipUri.startsWith("sips:")) {
            throw new ConfigException("sip-uri", "'" + sipUri + "' (expected: a SIP URI such as sip:10.0.0.11:5060)");
        }
        Require.intIn("max-channels", maxChannels, 0, 1, 1_000_000);
        asteriskPidFile = asteriskPidFile == null ? DEFAULT_PID_FILE : asteriskPidFile;
    }

    /** The block as written; {@code max-channels} is required. */
    @JsonCreator
    static NodeSettings bind(@JsonProperty("id") String id, @JsonProperty("sip-uri") String sipUri,
                             @JsonProperty("max-channels") Integer maxChannels,
                             @JsonProperty("asterisk-pid-file") String asteriskPidFile) {
        if (maxChannels == null) {
            throw new ConfigException("max-channels", "missing (expected: an integer 1..1000000)");
        }
        return new NodeSettings(id, sipUri, maxChannels,
                asteriskPidFile == null ? null : Path.of(Require.text("asterisk-pid-file", asteriskPidFile,
                        "a file name")));
    }
}
