package io.roundhouse.agent.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Finds this node's Asterisk process, never just "the first process named asterisk" (that may be another node's
 * Asterisk on a shared host, or an {@code asterisk -rx} CLI process):
 * <ol>
 *   <li>Asterisk's pid file ({@code node.asterisk-pid-file}, default {@code /var/run/asterisk/asterisk.pid}, which
 *       Asterisk writes at start), when the process it names is alive and is an {@code asterisk};</li>
 *   <li>otherwise the process that listens on the AMI port the agent connects to (from {@code /proc/net/tcp} and
 *       {@code tcp6}, then the socket links in {@code /proc/<pid>/fd}; reading another user's fds needs the agent to
 *       run as Asterisk's user or root).</li>
 * </ol>
 * Neither: no process, and the Asterisk CPU gauge stays empty. Every answer says why, for the log.
 */
public final class AsteriskProcess {

    /** Linux's TCP state code for LISTEN in /proc/net/tcp. */
    private static final String LISTEN = "0A";

    /** A process found, or the reasons none was. */
    public record Found(long pid, String why) {
    }

    private final Path proc;
    private final Path pidFile;
    private final int amiPort;

    /**
     * @param proc    the proc file system ({@code /proc})
     * @param pidFile Asterisk's pid file
     * @param amiPort the AMI port the agent connects to
     */
    public AsteriskProcess(Path proc, Path pidFile, int amiPort) {
        this.proc = proc;
        this.pidFile = pidFile;
        this.amiPort = amiPort;
    }

    /** This node's Asterisk, with why it is the one; or pid -1 with why none was found. */
    public Found find() {
        Found fromFile = fromPidFile();
        if (fromFile.pid() > 0) {
            return fromFile;
        }
        long owner = listenerOfAmiPort();
        if (owner > 0) {
            return new Found(owner, "listens on the AMI port " + amiPort + " (" + fromFile.why() + ")");
        }
        return new Found(-1, fromFile.why() + "; no process of ours found listening on the AMI port " + amiPort);
    }

    /** The process the pid file names when it is a live asterisk, otherwise pid -1 and why not. */
    private Found fromPidFile() {
        String text;
        try {
            text = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return new Found(-1, pidFile + ": no such file");
        } catch (IOException e) {
            return new Found(-1, pidFile + ": unreadable (" + e.getMessage() + ")");
        }
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            pid = -1;
        }
        if (pid <= 0) {
            return new Found(-1, pidFile + ": '" + text + "' is not a pid");
        }
        String comm = comm(pid);
        if (comm == null) {
            return new Found(-1, pidFile + ": pid " + pid + " is not running (stale file)");
        }
        if (!comm.equals("asterisk")) {
            return new Found(-1, pidFile + ": pid " + pid + " is '" + comm + "', not asterisk (stale file)");
        }
        return new Found(pid, "named by " + pidFile);
    }

    private String comm(long pid) {
        try {
            return Files.readString(proc.resolve(pid + "/comm"), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private long listenerOfAmiPort() {
        Set<String> inodes = new HashSet<>();
        for (String table : new String[] {"net/tcp", "net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(proc.resolve(table), StandardCharsets.US_ASCII)) {
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                    String[] f = line.strip().split("\\s+");
                    if (f.length < 10 || !f[3].equals(LISTEN)) {
                        continue;
                    }
                    int colon = f[1].lastIndexOf(':');
                    if (colon > 0 && Integer.parseInt(f[1].substring(colon + 1), 16) == amiPort) {
                        inodes.add(f[9]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // No IPv6 table on this host, or a line we do not understand: the other table may still answer.
            }
        }
        if (inodes.isEmpty()) {
            return -1;
        }
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path entry : pids) {
                if (ownsSocket(entry.resolve("fd"), inodes)) {
                    return Long.parseLong(entry.getFileName().toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static boolean ownsSocket(Path fds, Set<String> inodes) {
        try (DirectoryStream<Path> links = Files.newDirectoryStream(fds)) {
            for (Path link : links) {
                try {
                    String target = Files.readSymbolicLink(link).toString();
                    if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                        return true;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // A descriptor closed while we looked.
                }
            }
        } catch (IOException e) {
            // Another user's process (permission denied) or one that exited: not provably ours.
        }
        return false;
    }
}
