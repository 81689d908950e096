package xspct.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RowAttributionTest {

    private static LookupRequest chained(String address, List<String> values) {
        String first = values.get(0);
        int at = first.indexOf('@');
        String domain = at < 0 ? address.substring(address.indexOf('@') + 1) : first.substring(at + 1);
        return new LookupRequest(first, first, at < 0 ? first : first.substring(0, at), domain, values);
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void directMatchIsCaseInsensitive() {
        var batch = List.of(LookupRequest.forAddress("Alice@Ex.DE"), LookupRequest.forAddress("bob@ex.de"));
        var a = new RowAttribution(batch, List.of(List.of(), List.of()));
        assertEquals(List.of(List.of(0), List.of(1)),
                a.owners(List.of(List.of("alice@ex.de", "Alice"), List.of("BOB@EX.DE"))));
    }

    @Test
    void rowWithTwoRequestedAddressesAnswersBoth() {
        var batch = List.of(LookupRequest.forAddress("alias@ex.de"), LookupRequest.forAddress("x@y.z"),
                LookupRequest.forAddress("alice@ex.de"));
        var a = new RowAttribution(batch, List.of(List.of(), List.of(), List.of()));
        var entries = a.entries(List.of(row("mail", List.of("alice@ex.de"), "alias", List.of("alias@ex.de"))));
        assertEquals(2, entries.size());
        assertEquals(List.of(0), ((BackendEntry.Found) entries.get(0)).owners());
        assertEquals(List.of(2), ((BackendEntry.Found) entries.get(1)).owners());
    }

    @Test
    void catchAllAnswersOnlyRequestsWithoutTheirOwnRow() {
        var batch = List.of(LookupRequest.forAddress("alice@ex.de"), LookupRequest.forAddress("nobody@ex.de"),
                LookupRequest.forAddress("carol@other.de"));
        var substituted = List.of(List.of("alice@ex.de", "@ex.de"), List.of("nobody@ex.de", "@ex.de"),
                List.of("carol@other.de", "@other.de"));
        var a = new RowAttribution(batch, substituted);
        // the catch-all row comes first: it must still not take alice, who has her own row
        assertEquals(List.of(List.of(1), List.of(0)),
                a.owners(List.of(List.of("@EX.de", "catchall"), List.of("alice@ex.de"))));
    }

    @Test
    void substitutedValuesDoNotAttributeRowsThatHaveDirectOwners() {
        // (&(mail=%s)(domain=%d)): alice's row carries the domain, but a missing ghost is not alice
        var batch = List.of(LookupRequest.forAddress("alice@ex.de"), LookupRequest.forAddress("ghost@ex.de"));
        var a = new RowAttribution(batch, List.of(List.of("alice@ex.de", "ex.de"), List.of("ghost@ex.de", "ex.de")));
        assertEquals(List.of(List.of(0)), a.owners(List.of(List.of("alice@ex.de", "ex.de"))));
    }

    @Test
    void chainedRowSharedByTwoRequestsAnswersBothWithOneEntryEach() {
        var batch = List.of(chained("alice@ex.de", List.of("ex.de")), chained("bob@ex.de", List.of("ex.de")),
                chained("carol@other.de", List.of("other.de")));
        var a = new RowAttribution(batch, List.of(List.of("ex.de"), List.of("ex.de"), List.of("other.de")));
        var entries = a.entries(List.of(row("domain", "ex.de", "policy", "strict")));
        assertEquals(2, entries.size());
        assertEquals(List.of(0), ((BackendEntry.Found) entries.get(0)).owners());
        assertEquals(List.of(1), ((BackendEntry.Found) entries.get(1)).owners());
    }

    @Test
    void everyChainedValueIsAHint() {
        var batch = List.of(chained("alice@ex.de", List.of("g1", "g2")));
        var a = new RowAttribution(batch, List.of(List.of("g1", "g2")));
        assertEquals(List.of(List.of(0), List.of(0)), a.owners(List.of(List.of("g2"), List.of("G1"))));
    }

    @Test
    void unmatchedRowHasNoOwnerButIsKept() {
        var batch = List.of(LookupRequest.forAddress("alice@ex.de"));
        var a = new RowAttribution(batch, List.of(List.of("alice@ex.de")));
        var entries = a.entries(List.of(row("mail", "someone@else.de")));
        assertEquals(1, entries.size());
        assertEquals(List.of(), ((BackendEntry.Found) entries.get(0)).owners());
    }

    @Test
    void emptyValuesNeverMatch() {
        var batch = List.of(new LookupRequest("k", "k", "", "ex.de", List.of("k")));
        var a = new RowAttribution(batch, List.of(List.of("")));
        assertEquals(List.of(List.of()), a.owners(List.of(List.of("", "x"))));
    }

    @Test
    void rowValuesFlattenListsAndDecodeBytes() {
        var values = RowAttribution.rowValues(row("a", List.of("x", 2L), "b", null, "c",
                "bob@ex.de".getBytes(java.nio.charset.StandardCharsets.UTF_8), "d", new byte[] {(byte) 0xff}));
        assertEquals(List.of("x", "2", "bob@ex.de"), values);
    }

    @Test
    void substitutedListsMustMatchTheBatch() {
        assertThrows(IllegalArgumentException.class,
                () -> new RowAttribution(List.of(LookupRequest.forAddress("a@b")), List.of()));
    }
}
