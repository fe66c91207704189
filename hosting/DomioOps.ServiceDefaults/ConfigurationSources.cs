using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace DomioOps.ServiceDefaults;

/// <summary>Says where a configuration key came from, so a configuration error can name the file to fix.</summary>
public static class ConfigurationSources
{
    /// <summary>The full path of the file that set <paramref name="key"/> (or its children), the provider's name, or "not set in any configuration file".</summary>
    public static string Describe(IConfiguration configuration, string key)
    {
        if (configuration is IConfigurationRoot root)
        {
            foreach (var provider in root.Providers.Reverse())
            {
                if (provider.TryGet(key, out _) || provider.GetChildKeys([], key).Any())
                {
                    return Describe(provider);
                }
            }
        }

        return "not set in any configuration file";
    }

    /// <summary>The full path of a configuration file, or the name of another provider (environment, command line).</summary>
    public static string Describe(IConfigurationProvider provider) =>
        provider is FileConfigurationProvider { Source.Path: { } path } file
            ? Path.Combine((file.Source.FileProvider as PhysicalFileProvider)?.Root ?? "", path)
            : provider.ToString()!;
}
