package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The periodic STATS lines  of the released server, on their interval. */
class StatsLogIT {
    @Test
    void statsLinesAppearOnTheirInterval() {
        Distribution dist = Distribution.shared();
        String config = Distribution.TEST_LISTENER + """
                xspct_db_api_key: k
                xspct_db_stats_interval: 1
                xspct_db_stats_sample_interval: 0.5
                xspct_db_queries:
                  users:
                    db_type: yaml
                xspct_db_yaml_data:
                  users:
                    carol@example.com:
                      mail: carol@example.com
                """;
        try (RunningServer server = RunningServer.start(dist, dist.writeConfig("stats.yml", config))) {
            assertEquals(200, server.get("/v1/query/carol@example.com", Map.of("X-Api-Key", "k")).statusCode());
            assertEquals(200, server.get("/v1/query/nobody@example.com", Map.of("X-Api-Key", "k")).statusCode());
            Pattern requests = Pattern.compile("(?m)^Xspct_DB INFO stats STATS requests_total=2 requests_known=1 "
                    + "requests_unknown=1$");
            Pattern query = Pattern.compile("(?m)^Xspct_DB INFO stats STATS query\\[users\\] count=\\d+ "
                    + "avg=\\d+\\.\\d{5}s min=\\d+\\.\\d{5}s max=\\d+\\.\\d{5}s$");
            Await.until("the STATS summary of both requests", Duration.ofSeconds(30),
                    () -> requests.matcher(server.stdout()).find() && query.matcher(server.stdout()).find(),
                    server::stdout);
            assertTrue(requests.matcher(server.stdout()).find(), server.stdout());
            assertTrue(query.matcher(server.stdout()).find(), server.stdout());
        }
    }
}
