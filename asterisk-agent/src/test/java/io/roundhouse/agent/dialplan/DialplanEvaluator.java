package io.roundhouse.agent.dialplan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deliberately tiny interpreter of the extensions.conf subset the Roundhouse hand-off uses: {@code exten =>} and
 * {@code same =>} lines with {@code n} and labelled priorities; Set, Goto, GotoIf, Stasis, Hangup, NoOp; variables,
 * {@code PJSIP_HEADER(read,...)} and {@code $["a" = "b"]} / {@code !=}. Anything else fails loudly instead of being
 * guessed. Its trace uses the form of Asterisk's "Executing [exten@context:priority] App(args)" log lines, so it can
 * be checked against the logs captured from a real Asterisk.
 */
final class DialplanEvaluator {

    /** What Stasis() does in a scenario: no ARI client (FAILED), or the application returned the channel. */
    enum StasisOutcome { FAILED, SUCCESS }

    /** The end of an evaluation: the hang-up cause, and the trace of executed priorities. */
    record Outcome(int hangupCause, List<String> trace) {
    }

    private record Step(int priority, String app, String args) {
    }

    private static final Pattern EXTEN = Pattern.compile("^(exten|same)\\s*=>\\s*(.*)$");
    private static final Pattern PRIORITY = Pattern.compile("^(\\d+|n)(?:\\((\\w+)\\))?$");
    private static final Pattern APP = Pattern.compile("^(\\w+)(?:\\((.*)\\))?$");
    private static final Pattern COMPARISON = Pattern.compile("^\\s*\"([^\"]*)\"\\s*(=|!=)\\s*\"([^\"]*)\"\\s*$");
    private static final int STEP_LIMIT = 100;

    /** context -> extension -> priority -> step, in file order. */
    private final Map<String, Map<String, Map<Integer, Step>>> contexts = new LinkedHashMap<>();
    /** context -> extension -> label -> priority. */
    private final Map<String, Map<String, Map<String, Integer>>> labels = new HashMap<>();

    private DialplanEvaluator() {
    }

    static DialplanEvaluator load(Path file) {
        try {
            DialplanEvaluator dialplan = new DialplanEvaluator();
            dialplan.parse(Files.readAllLines(file));
            return dialplan;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void parse(List<String> lines) {
        String context = null;
        String exten = null;
        int last = 0;
        for (String raw : lines) {
            String line = raw.replaceAll("(?<!\\\\);.*$", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                String name = line.substring(1, line.indexOf(']'));
                context = name.equals("general") || name.equals("globals") ? null : name;
                if (context != null) {
                    contexts.putIfAbsent(context, new LinkedHashMap<>());
                }
                continue;
            }
            Matcher m = EXTEN.matcher(line);
            if (context == null || !m.matches()) {
                if (context != null) {
                    throw new UnsupportedOperationException("evaluator does not model the line: " + raw);
                }
                continue;
            }
            String rest = m.group(2);
            if (m.group(1).equals("exten")) {
                int comma = rest.indexOf(',');
                exten = rest.substring(0, comma);
                rest = rest.substring(comma + 1);
                last = 0;
            }
            int comma = rest.indexOf(',');
            Matcher p = PRIORITY.matcher(rest.substring(0, comma).strip());
            if (!p.matches()) {
                throw new UnsupportedOperationException("evaluator does not model the priority in: " + raw);
            }
            int priority = p.group(1).equals("n") ? last + 1 : Integer.parseInt(p.group(1));
            last = priority;
            Matcher a = APP.matcher(rest.substring(comma + 1).strip());
            if (!a.matches()) {
                throw new UnsupportedOperationException("evaluator does not model the application in: " + raw);
            }
            contexts.get(context).computeIfAbsent(exten, e -> new LinkedHashMap<>())
                    .put(priority, new Step(priority, a.group(1), a.group(2) == null ? "" : a.group(2)));
            if (p.group(2) != null) {
                labels.computeIfAbsent(context, c -> new HashMap<>()).computeIfAbsent(exten, e -> new HashMap<>())
                        .put(p.group(2), priority);
            }
        }
    }

    /** Runs a new channel for Request-URI user {@code user} in {@code context}, with these SIP headers. */
    Outcome run(String context, String user, Map<String, String> headers, StasisOutcome stasis) {
        Map<String, String> vars = new HashMap<>();
        List<String> trace = new ArrayList<>();
        String exten = match(context, user);
        int priority = 1;
        for (int steps = 0; steps < STEP_LIMIT; steps++) {
            Step step = contexts.get(context).get(exten).get(priority);
            if (step == null) {
                throw new IllegalStateException("fell off the dialplan at " + exten + "@" + context + ":" + priority
                        + " (trace " + trace + ")");
            }
            String args = expand(step.args(), vars, headers);
            trace.add(user + "@" + context + ":" + priority + " " + step.app() + "(" + args + ")");
            switch (step.app()) {
                case "NoOp" -> priority++;
                case "Set" -> {
                    int eq = args.indexOf('=');
                    vars.put(args.substring(0, eq), args.substring(eq + 1));
                    priority++;
                }
                case "GotoIf" -> {
                    int q = args.indexOf('?');
                    boolean condition = !args.substring(0, q).isEmpty() && !args.substring(0, q).equals("0");
                    String[] targets = args.substring(q + 1).split(":", -1);
                    String target = condition ? targets[0] : targets.length > 1 ? targets[1] : "";
                    priority = target.isEmpty() ? priority + 1 : label(context, exten, target);
                }
                case "Goto" -> {
                    String[] parts = args.split(",");
                    if (parts.length != 3) {
                        throw new UnsupportedOperationException("evaluator models Goto(context,exten,priority) only: "
                                + args);
                    }
                    context = parts[0];
                    exten = parts[1];
                    user = parts[1];
                    priority = Integer.parseInt(parts[2]);
                }
                case "Stasis" -> {
                    vars.put("STASISSTATUS", stasis.name());
                    priority++;
                }
                case "Hangup" -> {
                    return new Outcome(args.isEmpty() ? 16 : Integer.parseInt(args), trace);
                }
                default -> throw new UnsupportedOperationException("evaluator does not model " + step.app());
            }
        }
        throw new IllegalStateException("more than " + STEP_LIMIT + " steps: " + trace);
    }

    private int label(String context, String exten, String label) {
        Integer priority = labels.getOrDefault(context, Map.of()).getOrDefault(exten, Map.of()).get(label);
        if (priority == null) {
            throw new IllegalStateException("no label " + label + " in " + exten + "@" + context);
        }
        return priority;
    }

    /** Exact extension first; otherwise the one pattern that matches (the evaluator does not rank patterns). */
    private String match(String context, String user) {
        Map<String, Map<Integer, Step>> extensions = contexts.get(context);
        if (extensions == null) {
            throw new IllegalStateException("no context " + context);
        }
        if (extensions.containsKey(user)) {
            return user;
        }
        List<String> matching = extensions.keySet().stream()
                .filter(e -> e.startsWith("_") && user.matches(patternRegex(e))).toList();
        if (matching.size() != 1) {
            throw new IllegalStateException(user + " matches " + matching + " in " + context
                    + " (the evaluator needs exactly one pattern)");
        }
        return matching.get(0);
    }

    /** Asterisk extension pattern to regex: X, Z, N, [...], '.' (one or more) and '!' (zero or more). */
    static String patternRegex(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 1; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case 'X' -> regex.append("[0-9]");
                case 'Z' -> regex.append("[1-9]");
                case 'N' -> regex.append("[2-9]");
                case '.' -> regex.append(".+");
                case '!' -> regex.append(".*");
                case '[' -> {
                    int end = pattern.indexOf(']', i);
                    regex.append('[').append(pattern, i + 1, end).append(']');
                    i = end;
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    /** Expands ${...} (innermost first) and $[...] like pbx_substitute_variables, for the modelled subset. */
    static String expand(String text, Map<String, String> vars, Map<String, String> headers) {
        String out = text;
        for (int guard = 0; guard < 50; guard++) {
            int start = out.lastIndexOf("${");
            if (start < 0) {
                break;
            }
            int end = out.indexOf('}', start);
            String inner = out.substring(start + 2, end);
            out = out.substring(0, start) + value(inner, vars, headers) + out.substring(end + 1);
        }
        for (int guard = 0; guard < 50; guard++) {
            int start = out.indexOf("$[");
            if (start < 0) {
                break;
            }
            int end = out.indexOf(']', start);
            Matcher m = COMPARISON.matcher(out.substring(start + 2, end));
            if (!m.matches()) {
                throw new UnsupportedOperationException("evaluator does not model the expression "
                        + out.substring(start, end + 1));
            }
            boolean equal = m.group(1).equals(m.group(3));
            boolean result = m.group(2).equals("=") == equal;
            out = out.substring(0, start) + (result ? "1" : "0") + out.substring(end + 1);
        }
        return out;
    }

    private static String value(String inner, Map<String, String> vars, Map<String, String> headers) {
        if (inner.startsWith("PJSIP_HEADER(")) {
            String[] args = inner.substring("PJSIP_HEADER(".length(), inner.length() - 1).split(",");
            if (!args[0].equals("read")) {
                throw new UnsupportedOperationException("evaluator models PJSIP_HEADER(read,...) only: " + inner);
            }
            return headers.getOrDefault(args[1], "");
        }
        if (inner.contains("(")) {
            throw new UnsupportedOperationException("evaluator does not model the function " + inner);
        }
        return vars.getOrDefault(inner, "");
    }
}
