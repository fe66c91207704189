using DomioOps.Devices.Modbus;
using DomioOps.Models;
using DomioOps.Models.Wire;
using DomioOps.ServiceDefaults;

using Microsoft.Extensions.Options;

namespace DomioOps.Edge;

/// <summary>
/// Checks the whole configuration at start. Every failure names the configuration file that set the key
/// (or says that nothing did), the key, what is wrong and how to fix it.
/// </summary>
internal sealed class EdgeOptionsValidation(IConfiguration configuration) : IValidateOptions<EdgeOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeOptions options)
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string problem)
        {
            if (!ok)
            {
                var fullKey = $"{EdgeOptions.Section}:{key}";
                errors.Add($"{ConfigurationSources.Describe(configuration, fullKey)}: {fullKey}: {problem}");
            }
        }

        Check(EdgeTopics.IsValidId(options.Site), "Site", "set it to this plant's id (1-64 of A-Z a-z 0-9 - _ .), e.g. \"plant-1\"");
        Check(EdgeTopics.IsValidId(options.Id), "Id", "set it to this edge's id, unique within the site (1-64 of A-Z a-z 0-9 - _ .), e.g. \"hall-a\"");
        Check(!string.IsNullOrWhiteSpace(options.DataDirectory), "DataDirectory", "set it to a writable folder for the durable queue");
        Check(options.Queue.MaxBytes >= 1 << 20, "Queue:MaxBytes", "must be at least 1048576 (1 MiB)");
        Check(options.Publishing.BrokerPort is > 0 and < 65536, "Publishing:BrokerPort", "must be a TCP port, 1-65535");
        Check(!string.IsNullOrWhiteSpace(options.Publishing.BrokerHost), "Publishing:BrokerHost", "set it to the MQTT broker's host name or address");
        Check(options.Publishing.CaCertificatePath is null || File.Exists(options.Publishing.CaCertificatePath), "Publishing:CaCertificatePath", $"'{options.Publishing.CaCertificatePath}' does not exist: give the PEM file of the CA that issued the broker's certificate");
        Check((options.Publishing.ClientCertificatePath is null) == (options.Publishing.ClientKeyPath is null), "Publishing:ClientKeyPath", "a client certificate needs its key and a key its certificate: set both ClientCertificatePath and ClientKeyPath, or neither");
        Check(options.Publishing.MaxBatchSamples is > 0 and <= 10_000, "Publishing:MaxBatchSamples", "must be 1-10000");
        Check(options.Publishing.MaxBatchAge > TimeSpan.Zero, "Publishing:MaxBatchAge", "must be a positive time span, e.g. \"00:00:00.200\"");

        var machines = new HashSet<string>(StringComparer.Ordinal);
        for (var d = 0; d < options.Devices.Count; d++)
        {
            var device = options.Devices[d];
            var at = $"Devices:{d}";
            Check(EdgeTopics.IsValidId(device.Machine), $"{at}:Machine", "set it to the machine's id (1-64 of A-Z a-z 0-9 - _ .)");
            Check(machines.Add(device.Machine), $"{at}:Machine", $"'{device.Machine}' is already used by another device; machine ids must be unique");
            Check(device.Port is > 0 and < 65536, $"{at}:Port", "must be a TCP port, 1-65535");
            Check(device.PollInterval >= TimeSpan.FromMilliseconds(10), $"{at}:PollInterval", "must be at least 00:00:00.010");
            Check(device.ResponseTimeout > TimeSpan.Zero, $"{at}:ResponseTimeout", "must be a positive time span");
            Check(device.Tags.Count > 0, $"{at}:Tags", "list at least one tag (Signal, Register, Type)");
            for (var t = 0; t < device.Tags.Count; t++)
            {
                var tag = device.Tags[t];
                Check(tag.Signal != Signal.Unspecified && Enum.IsDefined(tag.Signal), $"{at}:Tags:{t}:Signal", $"name a signal: {string.Join(", ", Enum.GetNames<Signal>().Skip(1))}");
                Check(tag.Scale != 0 && double.IsFinite(tag.Scale), $"{at}:Tags:{t}:Scale", "must be a finite number other than 0");
                Check(tag.Type != ModbusDataType.String, $"{at}:Tags:{t}:Type", "a signal is a number: use Bit, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32 or Float64");
                Check(tag.Bit is >= 0 and <= 15, $"{at}:Tags:{t}:Bit", "must be 0-15");
            }

            if (device.Tags.Count > 0)
            {
                var span = device.Tags.Max(t => t.Register + ModbusRegisters.Count(t.Type)) - device.Tags.Min(t => (int)t.Register);
                Check(span <= 125, $"{at}:Tags", $"the tags span {span} registers; one read covers at most 125 (Modbus read holding registers limit)");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
