package xspct.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code [Service]} settings of a systemd unit file that a test needs to start a server the way systemd would:
 * the user, the command lines (split as systemd splits them), the environment file and the working directory.
 * Only the syntax the shipped unit uses: one setting per line, single and double quotes, {@code $$} for {@code $}.
 */
record SystemdUnit(Map<String, List<String>> service) {

    static SystemdUnit read(Path file) {
        Map<String, List<String>> service = new LinkedHashMap<>();
        String section = "";
        try {
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                    continue;
                }
                if (line.startsWith("[")) {
                    section = line;
                    continue;
                }
                int eq = line.indexOf('=');
                if (section.equals("[Service]") && eq > 0) {
                    service.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                            .add(line.substring(eq + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SystemdUnit(service);
    }

    /** {@return the last value of a setting, or null} */
    String value(String key) {
        List<String> v = service.get(key);
        return v == null ? null : v.getLast();
    }

    /** {@return a command line setting split into words, as systemd passes it to execve} */
    List<String> command(String key) {
        String v = value(key);
        if (v == null) {
            throw new IllegalArgumentException("the unit has no " + key);
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        words.replaceAll(w -> w.replace("$$", "$"));
        return words;
    }

    /** {@return the variables of the EnvironmentFile (a leading - means optional), empty when there is none} */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        // systemd gives every service this PATH; the service user cannot read the test's own directories
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        String file = value("EnvironmentFile");
        if (file == null) {
            return env;
        }
        Path p = Path.of(file.startsWith("-") ? file.substring(1) : file);
        if (!Files.exists(p) && file.startsWith("-")) {
            return env;
        }
        try {
            for (String line : Files.readAllLines(p)) {
                String l = line.strip();
                int eq = l.indexOf('=');
                if (!l.isEmpty() && !l.startsWith("#") && eq > 0) {
                    env.put(l.substring(0, eq), l.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return env;
    }
}
