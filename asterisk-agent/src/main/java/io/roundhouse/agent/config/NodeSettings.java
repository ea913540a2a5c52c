package io.roundhouse.agent.config;

import java.nio.file.Path;

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
}
