package io.roundhouse.router.interop;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes every mutation the robustness test sends to {@code -Dmutations.dump=DIR} as {@code NNNNN-udp.sip} or
 * {@code NNNNN-tcp.sip}, so that a failure can be replayed message by message (e.g. with {@code nc -u}). Off by
 * default: the test then writes nothing.
 */
final class MutationDump {

    private final Path directory;

    private MutationDump(Path directory) {
        this.directory = directory;
    }

    static MutationDump fromSystemProperty() {
        String dir = System.getProperty("mutations.dump");
        if (dir == null || dir.isBlank()) {
            return new MutationDump(null);
        }
        try {
            return new MutationDump(Files.createDirectories(Path.of(dir)));
        } catch (IOException e) {
            throw new UncheckedIOException("mutations.dump: cannot create " + dir, e);
        }
    }

    void write(int index, String transport, byte[]... messages) {
        if (directory == null) {
            return;
        }
        Path file = directory.resolve(String.format("%05d-%s.sip", index, transport));
        try (OutputStream out = Files.newOutputStream(file)) {
            for (byte[] message : messages) {
                out.write(message);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("mutations.dump: cannot write " + file, e);
        }
    }
}
