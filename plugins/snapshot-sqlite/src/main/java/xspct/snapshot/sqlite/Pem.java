package xspct.snapshot.sqlite;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The DER blocks of a PEM text. */
final class Pem {
    private Pem() {
    }

    /** {@return the first block of the given type} */
    static byte[] der(String pem, String type) throws IOException {
        List<byte[]> all = all(pem, type);
        if (all.isEmpty()) {
            throw new IOException("no '-----BEGIN " + type + "-----' block");
        }
        return all.get(0);
    }

    /** {@return every block of the given type, in file order} */
    static List<byte[]> all(String pem, String type) throws IOException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int b = pem.indexOf(begin, from);
            if (b < 0) {
                return out;
            }
            int e = pem.indexOf(end, b);
            if (e < 0) {
                throw new IOException("'" + begin + "' without its end line");
            }
            String body = pem.substring(b + begin.length(), e).replaceAll("\\s", "");
            try {
                out.add(Base64.getDecoder().decode(body));
            } catch (IllegalArgumentException ex) {
                throw new IOException("invalid base64 in a " + type + " block");
            }
            from = e + end.length();
        }
    }
}
