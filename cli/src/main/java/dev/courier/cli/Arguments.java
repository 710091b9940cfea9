package dev.courier.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A command line: options ({@code --name value} or {@code --name=value}) anywhere, everything else positional in
 * order; {@code --} ends the options.
 */
record Arguments(List<String> positional, Map<String, String> options) {

    private static final Set<String> VALUED = Set.of(
            "state-dir",
            "gateway",
            "sync",
            "password",
            "name",
            "device",
            "count",
            "timeout",
            "id",
            "limit",
            "before",
            "until");

    /** Options without a value: present or not. */
    private static final Set<String> FLAGS = Set.of("remove", "ids");

    static Arguments parse(String[] args) {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                positional.add(arg);
            } else if (arg.equals("--")) {
                optionsEnded = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                options.put("help", "true");
            } else if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
                if (FLAGS.contains(name) && eq < 0) {
                    options.put(name, "true");
                    continue;
                }
                if (!VALUED.contains(name)) {
                    throw new UsageException("unknown option --" + name);
                }
                if (eq >= 0) {
                    options.put(name, arg.substring(eq + 1));
                } else if (i + 1 < args.length) {
                    options.put(name, args[++i]);
                } else {
                    throw new UsageException("--" + name + " needs a value");
                }
            } else {
                throw new UsageException("unknown option " + arg);
            }
        }
        return new Arguments(List.copyOf(positional), Map.copyOf(options));
    }

    @Nullable
    String option(String name) {
        return options.get(name);
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    /** The positional argument at {@code index}, which the command requires. */
    String required(int index, String what) {
        if (index >= positional.size()) {
            throw new UsageException("missing " + what);
        }
        return positional.get(index);
    }

    /** The positional arguments from {@code index} on. */
    List<String> from(int index) {
        return index >= positional.size() ? List.of() : positional.subList(index, positional.size());
    }

    /** The command line is wrong: the user is told why, and how to get help. */
    static final class UsageException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
