package xspct.core.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AnswerTest {
    @Test
    void mergingIntoACachedObjectLeavesItUntouched() {
        // cache tiers hand out immutable shared objects; a later backend entry for the same pk merges into a copy
        Map<String, Object> cached = Map.of("mail", List.of("a@example.org"), "nested", Map.of("k", List.of("v")));
        Answer a = new Answer();
        a.records.put("pk", cached);
        a.records.merge("pk", Map.of("mail", List.of("b@example.org"), "cn", List.of("A"),
                "nested", Map.of("k", List.of("w"))));
        assertEquals(List.of("a@example.org", "b@example.org"), a.records.get("pk").get("mail"));
        assertEquals(List.of("A"), a.records.get("pk").get("cn"));
        assertEquals(Map.of("k", List.of("v", "w")), a.records.get("pk").get("nested"));
        assertEquals(Map.of("mail", List.of("a@example.org"), "nested", Map.of("k", List.of("v"))), cached);
    }
}
