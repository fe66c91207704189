using Microsoft.Extensions.Configuration;

namespace DomioOps.Edge.Tests;

public sealed class EdgeOptionsValidationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("domioops-config-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Validate_ShippedConfiguration_IsValid()
    {
        var shipped = Path.Combine(Testing.RepositoryRoot.Find(), "edge", "DomioOps.Edge", "appsettings.json");
        var (options, validation) = Load(File.ReadAllText(shipped));

        var result = validation.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_WrongValues_NameFileKeyAndFix()
    {
        var (options, validation) = Load("""
            { "Edge": { "Site": "plant 1", "Id": "edge-1",
                        "Devices": { "ModbusTcp": [ { "Machine": "saw-01", "Port": 70000, "Tags": [ { "Signal": "PieceCounter", "Register": 1, "Scale": 0 } ] } ] } } }
            """);

        var result = validation.Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith($"{Path.Combine(folder, "edge.json")}: Edge:Site: set it to this plant's id", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Edge:Devices:ModbusTcp:0:Port: must be a TCP port, 1-65535", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Edge:Devices:ModbusTcp:0:Tags:0:Scale: must be a finite number other than 0", StringComparison.Ordinal));
        Assert.Equal(3, failures.Count);
    }

    [Fact]
    public void Validate_MissingKeys_SayNothingSetThem()
    {
        var (options, validation) = Load("""{ "Edge": { "Site": "plant-1" } }""");

        var failures = validation.Validate(null, options).Failures!.ToList();

        Assert.Equal(["not set in any configuration file: Edge:Id: set it to this edge's id, unique within the site (1-64 of A-Z a-z 0-9 - _ .), e.g. \"hall-a\""], failures);
    }

    private (EdgeOptions Options, EdgeOptionsValidation Validation) Load(string json)
    {
        var path = Path.Combine(folder, "edge.json");
        File.WriteAllText(path, json);
        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();
        var options = configuration.GetSection(EdgeOptions.Section).Get<EdgeOptions>() ?? new EdgeOptions();
        return (options, new EdgeOptionsValidation(configuration));
    }
}
