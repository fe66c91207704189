using DomioOps.Cloud.Maintenance.Prediction;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>A registered model, without its bytes and report.</summary>
public sealed record RegisteredModel(long Id, MachineClass MachineClass, int Version, DateTimeOffset TrainedAt,
    DateTimeOffset DataFrom, DateTimeOffset DataTo, TimeSpan Horizon, AlertPolicy Policy, string MetricsJson, bool Active);

/// <summary>
/// The trained models (table maintenance_models, migration 0013): numbered per machine class, at most one active per
/// class. The first model of a class becomes active when registered; later ones wait for <see cref="ActivateAsync"/>,
/// which also rolls back to an older one, in one transaction.
/// </summary>
public sealed class ModelRegistry(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Columns = "id, machine_class, version, trained_at, data_from, data_to, horizon, policy_raise, policy_clear, policy_raise_after, policy_clear_after, metrics::text, active";

    public async Task<RegisteredModel> RegisterAsync(MachineClass c, FailureClassifier model, AlertPolicy policy,
        DateTimeOffset dataFrom, DateTimeOffset dataTo, TimeSpan horizon, string metricsJson, string reportHtml, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(policy);
        using var bytes = new MemoryStream();
        model.Save(bytes);
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Versions of a class are numbered under a lock of the class, so two trainings never take the same number.
        await using (var lockClass = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('maintenance_models:' || @class))", connection, transaction))
        {
            lockClass.Parameters.AddWithValue("class", MachineClasses.Name(c));
            await lockClass.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await using var insert = new NpgsqlCommand($"""
            INSERT INTO maintenance_models (machine_class, version, trained_at, data_from, data_to, horizon,
                policy_raise, policy_clear, policy_raise_after, policy_clear_after, metrics, model, report_html, active)
            SELECT @class, COALESCE(max(version), 0) + 1, @trained_at, @from, @to, @horizon, @raise, @clear, @raise_after, @clear_after,
                   @metrics, @model, @report, NOT EXISTS (SELECT 1 FROM maintenance_models WHERE machine_class = @class AND active)
            FROM maintenance_models WHERE machine_class = @class
            RETURNING {Columns}
            """, connection, transaction);
        insert.Parameters.AddWithValue("class", MachineClasses.Name(c));
        insert.Parameters.AddWithValue("trained_at", time.GetUtcNow());
        insert.Parameters.AddWithValue("from", dataFrom);
        insert.Parameters.AddWithValue("to", dataTo);
        insert.Parameters.AddWithValue("horizon", horizon);
        insert.Parameters.AddWithValue("raise", policy.Raise);
        insert.Parameters.AddWithValue("clear", policy.Clear);
        insert.Parameters.AddWithValue("raise_after", policy.RaiseAfter);
        insert.Parameters.AddWithValue("clear_after", policy.ClearAfter);
        insert.Parameters.Add(new NpgsqlParameter("metrics", NpgsqlDbType.Jsonb) { Value = metricsJson });
        insert.Parameters.AddWithValue("model", bytes.ToArray());
        insert.Parameters.AddWithValue("report", reportHtml);
        RegisteredModel registered;
        await using (var reader = await insert.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await reader.ReadAsync(ct).ConfigureAwait(false);
            registered = Read(reader);
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return registered;
    }

    /// <summary>Every model, by class and version.</summary>
    public async Task<IReadOnlyList<RegisteredModel>> ListAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM maintenance_models ORDER BY machine_class, version");
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var models = new List<RegisteredModel>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            models.Add(Read(reader));
        }

        return models;
    }

    /// <summary>The active model of a class and its classifier, or null when the class has none.</summary>
    public async Task<(RegisteredModel Model, FailureClassifier Classifier)?> ActiveAsync(MachineClass c, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns}, model FROM maintenance_models WHERE machine_class = @class AND active");
        command.Parameters.AddWithValue("class", MachineClasses.Name(c));
        return await WithClassifierAsync(command, ct).ConfigureAwait(false);
    }

    /// <summary>A model by id with its classifier, or null.</summary>
    internal async Task<(RegisteredModel Model, FailureClassifier Classifier)?> ModelAsync(long modelId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns}, model FROM maintenance_models WHERE id = @id");
        command.Parameters.AddWithValue("id", modelId);
        return await WithClassifierAsync(command, ct).ConfigureAwait(false);
    }

    private static async Task<(RegisteredModel Model, FailureClassifier Classifier)?> WithClassifierAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        var model = Read(reader);
        using var bytes = new MemoryStream(reader.GetFieldValue<byte[]>(13));
        return (model, FailureClassifier.Load(bytes));
    }

    /// <summary>Makes <paramref name="modelId"/> its class's active model (a roll back or forward): both changes in one transaction.</summary>
    public async Task ActivateAsync(long modelId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Lock the class's rows first: two activations in one class wait for each other instead of breaking the one-active index.
        await using (var lockClass = new NpgsqlCommand("""
            SELECT id FROM maintenance_models
            WHERE machine_class = (SELECT machine_class FROM maintenance_models WHERE id = @id) FOR UPDATE
            """, connection, transaction))
        {
            lockClass.Parameters.AddWithValue("id", modelId);
            await lockClass.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await using var command = new NpgsqlCommand("""
            UPDATE maintenance_models SET active = false
            WHERE active AND id <> @id AND machine_class = (SELECT machine_class FROM maintenance_models WHERE id = @id)
            """, connection, transaction);
        command.Parameters.AddWithValue("id", modelId);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await using var activate = new NpgsqlCommand("UPDATE maintenance_models SET active = true WHERE id = @id", connection, transaction);
        activate.Parameters.AddWithValue("id", modelId);
        if (await activate.ExecuteNonQueryAsync(ct).ConfigureAwait(false) != 1)
        {
            throw new KeyNotFoundException($"No maintenance model {modelId}: see `maintenance models` for the registered ones.");
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The model's HTML evaluation report, or null when there is no such model.</summary>
    public async Task<string?> ReportAsync(long modelId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT report_html FROM maintenance_models WHERE id = @id");
        command.Parameters.AddWithValue("id", modelId);
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    private static RegisteredModel Read(NpgsqlDataReader reader)
    {
        _ = MachineClasses.TryParse(reader.GetString(1), out var machineClass);
        return new RegisteredModel(
            reader.GetInt64(0), machineClass, reader.GetInt32(2),
            reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5),
            reader.GetFieldValue<TimeSpan>(6),
            new AlertPolicy(reader.GetFloat(7), reader.GetFloat(8), reader.GetInt32(9), reader.GetInt32(10)),
            reader.GetString(11), reader.GetBoolean(12));
    }
}
