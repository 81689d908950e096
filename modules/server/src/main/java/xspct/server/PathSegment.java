package xspct.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the {@code {user}} path segment once (docs/compatibility.md: "Requests are authenticated before they are
 * read, and secrets stay out of the logs"), like Python's {@code urllib.parse.unquote}: {@code %XX}
 * escapes become bytes decoded as UTF-8 (invalid sequences replaced), invalid escapes stay literal, and {@code +} is
 * never turned into a space.
 */
final class PathSegment {
    private PathSegment() {
    }

    /**
     * The last non-empty segment of a raw request path, decoded.
     *
     * @param rawPath the path as sent, without query string
     * @return the decoded segment
     */
    static String lastSegment(String rawPath) {
        int end = rawPath.length();
        if (end > 0 && rawPath.charAt(end - 1) == '/') {
            end--;
        }
        int start = rawPath.lastIndexOf('/', end - 1) + 1;
        return decode(rawPath.substring(start, end));
    }

    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0
                    && hex(s.charAt(i + 2)) >= 0) {
                out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
