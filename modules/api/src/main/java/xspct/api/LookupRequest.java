package xspct.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One address of a batch handed to a {@link Backend}.
 *
 * <p>The four request fields are what {@code search_filter_replace} and {@code query_replace} placeholders may
 * refer to. For a chained ({@code use_result}) query they are rebuilt from the first chained value; for a wildcard
 * pass {@code username} and {@code address} are the wildcard key.
 *
 * @param username      the looked-up value ({@code username} field)
 * @param address       same as username ({@code address} field)
 * @param userpart      text before the first {@code @} (the whole value if none)
 * @param domain        text after the first {@code @} (the whole value if none)
 * @param values        values to search for: the address, or every value of a chained attribute; never empty
 */
public record LookupRequest(String username, String address, String userpart, String domain, List<String> values) {

    /** Creates a request, copying {@code values}. */
    public LookupRequest {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(userpart, "userpart");
        Objects.requireNonNull(domain, "domain");
        values = List.copyOf(values);
    }

    /**
     * Builds the request for a plain address.
     *
     * @param address the address
     * @return a request whose fields are derived from the address
     */
    public static LookupRequest forAddress(String address) {
        int at = address.indexOf('@');
        String user = at < 0 ? address : address.substring(0, at);
        String domain = at < 0 ? address : address.substring(at + 1);
        return new LookupRequest(address, address, user, domain, List.of(address));
    }

    /**
     * A request field by its template name.
     *
     * @param name {@code username}, {@code address}, {@code userpart} or {@code domain}
     * @return the value, or empty for any other name
     */
    public Optional<String> field(String name) {
        return switch (name) {
            case "username" -> Optional.of(username);
            case "address" -> Optional.of(address);
            case "userpart" -> Optional.of(userpart);
            case "domain" -> Optional.of(domain);
            default -> Optional.empty();
        };
    }
}
