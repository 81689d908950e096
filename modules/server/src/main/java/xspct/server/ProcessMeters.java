package xspct.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@code process_*} metrics of the original's Prometheus client, under the same names, so that existing
 * dashboards keep their process panels: CPU seconds, open and maximum file descriptors, virtual and resident memory
 * (Linux: {@code /proc/self/status}). The start time comes with Micrometer's uptime meters.
 */
final class ProcessMeters {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMeters() {
    }

    static void register(MeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            FunctionCounter.builder("process_cpu_seconds", os, o -> o.getProcessCpuTime() / 1e9)
                    .description("Total user and system CPU time spent in seconds.")
                    .register(registry);
            if (os instanceof UnixOperatingSystemMXBean unix) {
                Gauge.builder("process_open_fds", unix, UnixOperatingSystemMXBean::getOpenFileDescriptorCount)
                        .description("Number of open file descriptors.").register(registry);
                Gauge.builder("process_max_fds", unix, UnixOperatingSystemMXBean::getMaxFileDescriptorCount)
                        .description("Maximum number of open file descriptors.").register(registry);
            }
        }
        if (Files.isReadable(STATUS)) {
            Gauge.builder("process_virtual_memory_bytes", () -> statusKib("VmSize:") * 1024)
                    .description("Virtual memory size in bytes.").register(registry);
            Gauge.builder("process_resident_memory_bytes", () -> statusKib("VmRSS:") * 1024)
                    .description("Resident memory size in bytes.").register(registry);
        }
    }

    /** A {@code kB} line of {@code /proc/self/status}, NaN when it cannot be read. */
    private static double statusKib(String field) {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String l : lines) {
                if (l.startsWith(field)) {
                    String[] parts = l.substring(field.length()).trim().split("\\s+");
                    return Double.parseDouble(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone or an unexpected format: no value this time
        }
        return Double.NaN;
    }
}
