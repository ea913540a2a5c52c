package io.roundhouse.router;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line entry point of the router. */
@Command(name = "router", mixinStandardHelpOptions = true,
        description = "Roundhouse router: a transaction-stateful SIP proxy that dispatches calls across Asterisk nodes.")
public final class RouterMain implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Override
    public Integer call() {
        System.err.println("router: not implemented yet");
        return 1;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RouterMain()).execute(args));
    }
}
