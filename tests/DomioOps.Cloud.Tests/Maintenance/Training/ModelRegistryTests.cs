using DomioOps.Cloud.Maintenance.Prediction;
using DomioOps.Cloud.Maintenance.Training;
using DomioOps.Cloud.Tests.Storage;

using Microsoft.Extensions.Time.Testing;

using Npgsql;

namespace DomioOps.Cloud.Tests.Maintenance.Training;

/// <summary>The model registry on a real PostgreSQL: versions per class, one active, roll back and forward in one transaction.</summary>
public sealed class ModelRegistryTests(MigratedDatabase postgres) : IClassFixture<MigratedDatabase>
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly AlertPolicy Policy = new(0.7f, 0.35f, 2, 6);

    [Fact]
    public async Task Register_TwoModelsOfAClass_NumberedAndTheFirstActive()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = NpgsqlDataSource.Create(await postgres.MigrateAsync("registry_register", ct));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var registry = new ModelRegistry(dataSource, time);
        var classifier = Classifier();

        var first = await registry.RegisterAsync(MachineClass.PanelSaw, classifier, Policy, From, From.AddDays(90), TimeSpan.FromHours(8), """{"prAuc": 0.9}""", "<html>one</html>", ct);
        var other = await registry.RegisterAsync(MachineClass.CncRouter, classifier, Policy, From, From.AddDays(90), TimeSpan.FromHours(12), "{}", "<html>cnc</html>", ct);
        var second = await registry.RegisterAsync(MachineClass.PanelSaw, classifier, Policy, From, From.AddDays(120), TimeSpan.FromHours(8), "{}", "<html>two</html>", ct);

        Assert.Equal((1, true), (first.Version, first.Active));
        Assert.Equal((1, true), (other.Version, other.Active));
        Assert.Equal((2, false), (second.Version, second.Active));
        var listed = await registry.ListAsync(ct);
        Assert.Equal([(MachineClass.CncRouter, 1, true), (MachineClass.PanelSaw, 1, true), (MachineClass.PanelSaw, 2, false)],
            listed.Select(m => (m.MachineClass, m.Version, m.Active)));
        var saw = listed.Single(m => m.Id == first.Id);
        Assert.Equal(new RegisteredModel(first.Id, MachineClass.PanelSaw, 1, time.GetUtcNow(), From, From.AddDays(90), TimeSpan.FromHours(8), Policy, """{"prAuc": 0.9}""", true), saw);
        Assert.Equal("<html>two</html>", await registry.ReportAsync(second.Id, ct));
        Assert.Null(await registry.ReportAsync(second.Id + 100, ct));
    }

    [Fact]
    public async Task Activate_AnotherVersion_SwitchesAndRollsBack()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = NpgsqlDataSource.Create(await postgres.MigrateAsync("registry_activate", ct));
        var registry = new ModelRegistry(dataSource, TimeProvider.System);
        var classifier = Classifier();
        var v1 = await registry.RegisterAsync(MachineClass.Edgebander, classifier, Policy, From, From.AddDays(30), TimeSpan.FromHours(4), "{}", "v1", ct);
        var v2 = await registry.RegisterAsync(MachineClass.Edgebander, classifier, new AlertPolicy(0.5f, 0.25f, 1, 3), From, From.AddDays(60), TimeSpan.FromHours(4), "{}", "v2", ct);

        await registry.ActivateAsync(v2.Id, ct);
        var afterForward = await registry.ActiveAsync(MachineClass.Edgebander, ct) ?? throw new InvalidOperationException("No active model after activating v2.");
        await registry.ActivateAsync(v1.Id, ct);
        var afterBack = await registry.ActiveAsync(MachineClass.Edgebander, ct) ?? throw new InvalidOperationException("No active model after rolling back.");

        Assert.Equal((v2.Id, 2, new AlertPolicy(0.5f, 0.25f, 1, 3)), (afterForward.Model.Id, afterForward.Model.Version, afterForward.Model.Policy));
        Assert.Equal(v1.Id, afterBack.Model.Id);
        Assert.Equal([true, false], (await registry.ListAsync(ct)).Select(m => m.Active));
        // The stored model is the trained one: it gives the same probabilities.
        float[] failing = [0.9f, 0.1f];
        Assert.Equal(classifier.Probability(failing), afterBack.Classifier.Probability(failing));
        Assert.Null(await registry.ActiveAsync(MachineClass.CncRouter, ct));
    }

    [Fact]
    public async Task Activate_AnUnknownModel_ThrowsAndLeavesTheActiveOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = NpgsqlDataSource.Create(await postgres.MigrateAsync("registry_unknown", ct));
        var registry = new ModelRegistry(dataSource, TimeProvider.System);
        var v1 = await registry.RegisterAsync(MachineClass.CncRouter, Classifier(), Policy, From, From.AddDays(30), TimeSpan.FromHours(12), "{}", "v1", ct);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => registry.ActivateAsync(v1.Id + 1000, ct));

        Assert.Equal(v1.Id, (await registry.ActiveAsync(MachineClass.CncRouter, ct))!.Value.Model.Id);
    }

    [Fact]
    public async Task OneActivePerClass_HeldByTheDatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = NpgsqlDataSource.Create(await postgres.MigrateAsync("registry_index", ct));
        var registry = new ModelRegistry(dataSource, TimeProvider.System);
        await registry.RegisterAsync(MachineClass.PanelSaw, Classifier(), Policy, From, From.AddDays(30), TimeSpan.FromHours(8), "{}", "v1", ct);
        var v2 = await registry.RegisterAsync(MachineClass.PanelSaw, Classifier(), Policy, From, From.AddDays(30), TimeSpan.FromHours(8), "{}", "v2", ct);

        await using var command = dataSource.CreateCommand("UPDATE maintenance_models SET active = true WHERE id = @id");
        command.Parameters.AddWithValue("id", v2.Id);
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(ct));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
    }

    /// <summary>A small model: fails when the first input is high.</summary>
    private static FailureClassifier Classifier()
    {
        var schema = new FeatureSchema([new("a", "input a", "1"), new("b", "input b", "1")]);
        var examples = Enumerable.Range(0, 200).Select(i => new TrainingExample([(i % 20) / 20f, (i % 7) / 7f], i % 20 >= 15)).ToList();
        return FailureClassifier.Train(schema, examples, new FailureClassifierOptions(Trees: 10, Leaves: 4, MinimumExamplesPerLeaf: 2));
    }
}
