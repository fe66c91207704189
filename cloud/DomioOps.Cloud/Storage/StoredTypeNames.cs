using Newtonsoft.Json.Serialization;

namespace DomioOps.Cloud.Storage;

/// <summary>
/// The type names that stored grain state carries for classes renamed since it was written. Orleans' default grain
/// storage serializer (Newtonsoft.Json with <c>TypeNameHandling.All</c>) writes each object's CLR name into
/// <c>"$type"</c> and resolves that name when it reads; <c>[Alias]</c> does not take part. A renamed state class is listed
/// here with its stored name, which is written and read for it, so rows written before the rename still read and a build
/// from before the rename still reads the rows written after it. Every other type goes to Orleans' own binder, which
/// keeps its allow-list.
/// </summary>
internal sealed class StoredTypeNames : ISerializationBinder
{
    private static readonly Dictionary<Type, (string Assembly, string Type)> StoredNameByType = new()
    {
        [typeof(Machines.MachineGrainState)] = ("DomioOps.Cloud", "DomioOps.Cloud.Machines.MachineState"),
    };

    private static readonly Dictionary<(string Assembly, string Type), Type> TypeByStoredName =
        StoredNameByType.ToDictionary(pair => pair.Value, pair => pair.Key);

    private readonly ISerializationBinder _orleans;

    public StoredTypeNames(ISerializationBinder orleans)
    {
        ArgumentNullException.ThrowIfNull(orleans);
        _orleans = orleans;
    }

    public Type BindToType(string? assemblyName, string typeName) =>
        assemblyName is not null && TypeByStoredName.TryGetValue((assemblyName, typeName), out var type)
            ? type
            : _orleans.BindToType(assemblyName, typeName);

    public void BindToName(Type serializedType, out string? assemblyName, out string? typeName)
    {
        if (StoredNameByType.TryGetValue(serializedType, out var stored))
        {
            (assemblyName, typeName) = stored;
            return;
        }

        _orleans.BindToName(serializedType, out assemblyName, out typeName);
    }
}
