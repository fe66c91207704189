namespace DomioOps.Edge.Configuration;

/// <summary>
/// The <c>Edge</c> section as <see cref="EdgeOptions"/>: identity, queue, publishing and remote configuration (a few keys) through the
/// configuration binder, the devices (up to tens of thousands of keys) through <see cref="DevicesSection"/>.
/// </summary>
internal static class EdgeSection
{
    public static EdgeOptions Read(IConfiguration configuration)
    {
        var options = new EdgeOptions();
        Bind(options, configuration);
        return options;
    }

    public static void Bind(EdgeOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection(EdgeOptions.Section);
        options.Site = section[nameof(EdgeOptions.Site)] ?? options.Site;
        options.Id = section[nameof(EdgeOptions.Id)] ?? options.Id;
        options.DataDirectory = section[nameof(EdgeOptions.DataDirectory)] ?? options.DataDirectory;
        section.GetSection(nameof(EdgeOptions.Queue)).Bind(options.Queue);
        section.GetSection(nameof(EdgeOptions.Publishing)).Bind(options.Publishing);
        section.GetSection(nameof(EdgeOptions.RemoteConfiguration)).Bind(options.RemoteConfiguration);
        var errors = new List<string>();
        options.Devices = DevicesSection.Read(configuration, errors);
        options.DeviceErrors = errors;
    }
}
