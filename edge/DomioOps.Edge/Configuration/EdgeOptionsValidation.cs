using DomioOps.Edge.Acquisition;
using DomioOps.Models;
using DomioOps.ServiceDefaults;

using Microsoft.Extensions.Options;

namespace DomioOps.Edge.Configuration;

/// <summary>
/// Checks the whole configuration at start. Every failure names the configuration file that set the key
/// (or says that nothing did), the key, what is wrong and how to fix it. For a remote configuration, an
/// <paramref name="allowList"/> also checks the endpoints and serial ports its devices use.
/// </summary>
internal sealed class EdgeOptionsValidation(IConfiguration configuration, RemoteAllowList? allowList = null) : IValidateOptions<EdgeOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeOptions options)
    {
        var errors = new List<string>(options.DeviceErrors);
        bool Check(bool ok, string key, string problem)
        {
            if (!ok)
            {
                var fullKey = $"{EdgeOptions.Section}:{key}";
                errors.Add($"{ConfigurationSources.Describe(configuration, fullKey)}: {fullKey}: {problem}");
            }

            return ok;
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
        Check(Enum.IsDefined(options.Publishing.Acknowledgement), "Publishing:Acknowledgement", "must be Cloud (samples leave the queue when the cloud has committed them) or Broker (when the broker has them, for a plain MQTT consumer)");
        Check(options.Publishing.MaxInFlightSamples >= options.Publishing.MaxBatchSamples, "Publishing:MaxInFlightSamples", $"must be at least Publishing:MaxBatchSamples ({options.Publishing.MaxBatchSamples}); it bounds what is published and not yet acknowledged");
        Check(options.Publishing.AcknowledgementTimeout >= TimeSpan.FromMilliseconds(100), "Publishing:AcknowledgementTimeout", "must be at least 00:00:00.100; unacknowledged samples are published again after it");

        RemoteConfiguration(options.RemoteConfiguration, Check);
        new DevicesValidation(options.Devices, Check).Validate();
        allowList?.Check(options.Devices, Check);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void RemoteConfiguration(RemoteConfigurationOptions remote, Func<bool, string, string, bool> check)
    {
        const string At = RemoteConfigurationOptions.Section;
        if (ConfigurationSigningKey.TryLoad(remote, out var key, out var failure))
        {
            key?.Dispose();
        }
        else
        {
            check(false, failure.Key, failure.Problem);
        }

        for (var i = 0; i < remote.AllowedEndpoints.Count; i++)
        {
            check(RemoteAllowList.TryParseEndpoint(remote.AllowedEndpoints[i], out _), $"{At}:AllowedEndpoints:{i}", $"'{remote.AllowedEndpoints[i]}' is not an endpoint: {RemoteAllowList.EndpointSyntax}");
        }

        for (var i = 0; i < remote.AllowedSerialPorts.Count; i++)
        {
            check(RemoteAllowList.IsSerialPortPattern(remote.AllowedSerialPorts[i]), $"{At}:AllowedSerialPorts:{i}", $"'{remote.AllowedSerialPorts[i]}' is not a serial port: write its path, e.g. \"/dev/ttyUSB0\" or \"/dev/ttyUSB*\" (* matches any characters but /; no . or .. segments)");
        }
    }
}
