using System.Globalization;

namespace DomioOps.Benchmarks;

/// <summary>What the load harnesses read about a process and the machine from /proc (Linux).</summary>
internal static class ProcessFigures
{
    /// <summary>The 1, 5 and 15 minute load averages, "unknown" where there is no /proc/loadavg.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "unknown";

    /// <summary>User + system CPU time of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromMilliseconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10);
    }

    /// <summary>Resident memory of a process (VmRSS of /proc/PID/status), in bytes.</summary>
    public static long ResidentBytes(int pid) => Status(pid, "VmRSS:");

    /// <summary>The most resident memory the process has had (VmHWM of /proc/PID/status), in bytes.</summary>
    public static long PeakResidentBytes(int pid) => Status(pid, "VmHWM:");

    private static long Status(int pid, string field) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).FirstOrDefault();
}
