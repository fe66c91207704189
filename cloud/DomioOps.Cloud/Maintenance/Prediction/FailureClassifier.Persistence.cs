using System.IO.Compression;
using System.Text.Json;

namespace DomioOps.Cloud.Maintenance.Prediction;

/// <summary>
/// A saved classifier is a zip: <c>schema.json</c> (the features, in vector order, with their words and units),
/// <c>ensemble.json</c> (the trees and the Platt sigmoid this class scores with) and <c>mlnet-model.zip</c> (ML.NET's
/// own save of the same transformer, loadable with <c>MLContext.Model.Load</c>, for anyone who wants to check it there).
/// </summary>
public sealed partial class FailureClassifier
{
    private const int Format = 1;
    private const string SchemaEntry = "schema.json";
    private const string EnsembleEntry = "ensemble.json";
    private const string MlNetEntry = "mlnet-model.zip";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Write(zip, SchemaEntry, new SchemaFile(Format, Schema.Features));
        Write(zip, EnsembleEntry, _ensemble);
        using var entry = zip.CreateEntry(MlNetEntry, CompressionLevel.NoCompression).Open();
        entry.Write(_mlNetModel);
    }

    public static FailureClassifier Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var schema = Read<SchemaFile>(zip, SchemaEntry);
            if (schema.Format != Format)
            {
                throw new InvalidDataException($"The model is in format {schema.Format}; this build reads format {Format}.");
            }

            var ensemble = Read<BoostedTrees>(zip, EnsembleEntry);
            var features = new FeatureSchema([.. schema.Features]);
            foreach (var tree in ensemble.Trees)
            {
                if (tree.SplitFeatures.Any(f => f < 0 || f >= features.Features.Count))
                {
                    throw new InvalidDataException($"{EnsembleEntry} splits on a feature the schema does not have.");
                }
            }

            using var mlNet = new MemoryStream();
            using (var entry = (zip.GetEntry(MlNetEntry) ?? throw new InvalidDataException($"The model zip has no {MlNetEntry}.")).Open())
            {
                entry.CopyTo(mlNet);
            }

            return new FailureClassifier(features, ensemble, mlNet.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The model zip holds malformed JSON: {e.Message}", e);
        }
    }

    /// <summary>ML.NET's own zip of the trained transformer (input column "Features", a vector of the schema's length).</summary>
    internal byte[] MlNetModel => _mlNetModel;

    private static void Write<T>(ZipArchive zip, string name, T value)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        JsonSerializer.Serialize(entry, value, JsonOptions);
    }

    private static T Read<T>(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"The model zip has no {name}: not a saved FailureClassifier.");
        using var stream = entry.Open();
        return JsonSerializer.Deserialize<T>(stream, JsonOptions) ?? throw new InvalidDataException($"{name} is empty.");
    }

    private sealed record SchemaFile(int Format, IReadOnlyList<FeatureDefinition> Features);
}
