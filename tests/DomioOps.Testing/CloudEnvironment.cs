namespace DomioOps.Testing;

/// <summary>
/// The environment variables that start the cloud host (<c>cloud/DomioOps.Cloud</c>) as a process on loopback, for the
/// end-to-end tests and the load harnesses: what every start needs (its PostgreSQL database, an audit key it creates,
/// silo, gateway and broker ports, the first administrator's password), then what a test or harness sets on top through
/// the indexer, <see cref="AddEdge"/> and <see cref="UseExternalBroker"/>.
/// </summary>
public sealed class CloudEnvironment
{
    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    private int _edges;

    /// <param name="connectionString">The silo's PostgreSQL database.</param>
    /// <param name="auditDirectory">Where the audit key is created and its checkpoints are written.</param>
    /// <param name="adminPassword">The password of the first administrator, <c>admin</c>.</param>
    /// <param name="brokerPort">The MQTT port of the embedded broker, or of the external one (<see cref="UseExternalBroker"/>).</param>
    /// <param name="siloPort">The silo port; a free one when not given.</param>
    /// <param name="gatewayPort">The gateway port; a free one when not given.</param>
    public CloudEnvironment(string connectionString, string auditDirectory, string adminPassword, int brokerPort, int? siloPort = null, int? gatewayPort = null)
    {
        _variables["Silo__ConnectionString"] = connectionString;
        _variables["Audit__KeyPath"] = Path.Combine(auditDirectory, "audit.key");
        _variables["Audit__CreateKey"] = "true";
        _variables["Audit__CheckpointDirectory"] = Path.Combine(auditDirectory, "checkpoints");
        _variables["Silo__AdvertisedAddress"] = "127.0.0.1";
        _variables["Silo__SiloPort"] = $"{siloPort ?? FreePort.Next()}";
        _variables["Silo__GatewayPort"] = $"{gatewayPort ?? FreePort.Next()}";
        _variables["Broker__Port"] = $"{brokerPort}";
        _variables["Security__InitialAdmin__Password"] = adminPassword;
    }

    /// <summary>The variables, as <see cref="HostProcess.StartAsync"/> takes them.</summary>
    public IReadOnlyDictionary<string, string> Variables => _variables;

    /// <summary>Any other setting, by its environment variable name (<c>Section__Key</c>).</summary>
    public string this[string name]
    {
        get => _variables[name];
        set => _variables[name] = value;
    }

    /// <summary>Sets every variable of <paramref name="settings"/>.</summary>
    public CloudEnvironment Add(IEnumerable<KeyValuePair<string, string>> settings)
    {
        foreach (var (name, value) in settings)
        {
            _variables[name] = value;
        }

        return this;
    }

    /// <summary>Registers one more edge with the embedded broker (<c>Broker:Edges:N</c>).</summary>
    public CloudEnvironment AddEdge(string site, string id, string passwordHash)
    {
        var n = _edges++;
        _variables[$"Broker__Edges__{n}__Site"] = site;
        _variables[$"Broker__Edges__{n}__Id"] = id;
        _variables[$"Broker__Edges__{n}__PasswordHash"] = passwordHash;
        return this;
    }

    /// <summary>The cloud joins an external broker on 127.0.0.1 (Mosquitto) as <c>domio-cloud</c> instead of running its own.</summary>
    public CloudEnvironment UseExternalBroker(string clientId, string password)
    {
        _variables["Broker__Mode"] = "External";
        _variables["Broker__Address"] = "127.0.0.1";
        _variables["Broker__ClientId"] = clientId;
        _variables["Broker__UserName"] = "domio-cloud";
        _variables["Broker__Password"] = password;
        return this;
    }
}
