using DomioOps.Cloud.Maintenance.Ai4i;

namespace DomioOps.Benchmarks.Maintenance;

/// <summary>
/// Rows drawn like the AI4I 2020 data set's (S. Matzka, 2020: its generating process as the paper describes it, with
/// independent draws instead of its random walks): type L/M/H 50/30/20 %, air ~ N(300 K, 2 K), process = air + 10 K +
/// N(0, 1 K), speed ~ N(1540, 180) rpm, torque ~ N(40, 10) Nm, tool wear uniform 0-240 min; failures: heat dissipation
/// (Δt &lt; 8.6 K and speed &lt; 1380 rpm), power (&lt; 3500 W or &gt; 9000 W), overstrain (wear × torque above 11,000 /
/// 12,000 / 13,000 min·Nm for L / M / H), tool wear (5 % of rows at 200-240 min) and random (0.1 %).
/// </summary>
internal static class SyntheticAi4i
{
    public static List<Ai4iRecord> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Ai4iRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var u = random.NextDouble();
            var type = u < 0.5 ? 'L' : u < 0.8 ? 'M' : 'H';
            var air = 300 + (2 * Normal(random));
            var process = air + 10 + Normal(random);
            var speed = Math.Max(1168, 1540 + (180 * Normal(random)));
            var torque = Math.Max(3.8, 40 + (10 * Normal(random)));
            var wear = Math.Floor(random.NextDouble() * 241);
            var power = torque * speed * 2 * Math.PI / 60;
            var modes = FailureModes.None;
            modes |= wear >= 200 && random.NextDouble() < 0.05 ? FailureModes.ToolWear : FailureModes.None;
            modes |= process - air < 8.6 && speed < 1380 ? FailureModes.HeatDissipation : FailureModes.None;
            modes |= power is < 3500 or > 9000 ? FailureModes.Power : FailureModes.None;
            modes |= wear * torque > type switch { 'L' => 11_000, 'M' => 12_000, _ => 13_000 } ? FailureModes.Overstrain : FailureModes.None;
            modes |= random.NextDouble() < 0.001 ? FailureModes.Random : FailureModes.None;
            rows.Add(new Ai4iRecord(i + 2, $"{type}{i}", type, Math.Round(air, 1), Math.Round(process, 1), Math.Round(speed), Math.Round(torque, 1), wear,
                modes != FailureModes.None, modes));
        }

        return rows;
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
