using System.Globalization;

namespace DomioOps.Benchmarks;

/// <summary>What the load harnesses read about processes and the machine from /proc (Linux).</summary>
internal static class ProcessFigures
{
    /// <summary>The 1, 5 and 15 minute load averages, "unknown" where there is no /proc/loadavg.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "unknown";

    /// <summary>User + system CPU time of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var fields = StatFields(pid);
        return TimeSpan.FromMilliseconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10);
    }

    /// <summary>
    /// User + system CPU time of the PostgreSQL server listening on <paramref name="port"/>: its postmaster ("-p PORT" on
    /// its command line) and the backends it started. A backend that has ended no longer counts: harnesses keep their
    /// connections pooled.
    /// </summary>
    public static TimeSpan PostgresCpuTime(int port)
    {
        var option = $"-p {port.ToString(CultureInfo.InvariantCulture)}";
        var total = TimeSpan.Zero;
        foreach (var pid in ProcessIds())
        {
            try
            {
                var commandLine = CommandLine(pid);
                if ((commandLine.StartsWith("postgres", StringComparison.Ordinal) || commandLine.Contains("/postgres ", StringComparison.Ordinal))
                    && (commandLine.Contains(option, StringComparison.Ordinal) || CommandLine(ParentId(pid)).Contains(option, StringComparison.Ordinal)))
                {
                    total += CpuTime(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile, or is not ours to read.
            }
        }

        return total;
    }

    /// <summary>
    /// Time a process has run on a CPU, from /proc/PID/schedstat (its first field, in nanoseconds): finer than
    /// <see cref="CpuTime"/>, for a single-threaded process.
    /// </summary>
    public static TimeSpan ScheduledTime(int pid) =>
        TimeSpan.FromMicroseconds(long.Parse(File.ReadAllText($"/proc/{pid}/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 1000.0);

    /// <summary>Resident memory of a process (VmRSS of /proc/PID/status), in bytes.</summary>
    public static long ResidentBytes(int pid) => Status(pid, "VmRSS:");

    /// <summary>The most resident memory the process has had (VmHWM of /proc/PID/status), in bytes.</summary>
    public static long PeakResidentBytes(int pid) => Status(pid, "VmHWM:");

    /// <summary>The ids of the running processes (the numbered folders of /proc).</summary>
    public static IEnumerable<int> ProcessIds() =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is { Length: > 0 } && name.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture));

    /// <summary>A process's command line (/proc/PID/cmdline), its arguments separated by spaces.</summary>
    public static string CommandLine(int pid) => File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');

    /// <summary>A process's parent, from /proc/PID/stat (field 4).</summary>
    public static int ParentId(int pid) => int.Parse(StatFields(pid)[1], CultureInfo.InvariantCulture);

    /// <summary>The fields of /proc/PID/stat after the command name (which may hold spaces): field 3 (the state) first.</summary>
    private static string[] StatFields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static long Status(int pid, string field) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).FirstOrDefault();
}
