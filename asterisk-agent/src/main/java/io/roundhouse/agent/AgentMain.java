package io.roundhouse.agent;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line entry point of the agent that runs beside each Asterisk. */
@Command(name = "asterisk-agent", mixinStandardHelpOptions = true,
        description = "Roundhouse agent: publishes an Asterisk node's live state to Redis and runs its Stasis services.")
public final class AgentMain implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Override
    public Integer call() {
        System.err.println("asterisk-agent: not implemented yet");
        return 1;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }
}
