using System.Reflection;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>
/// Grain state is stored as JSON naming its types, and read back only for types Orleans allows: ours must carry
/// <c>[GenerateSerializer]</c>. A state class that loses it (an attribute left on the type declared above it) is written
/// without complaint and then refused on every activation: the grain can never start again.
/// </summary>
public sealed class GrainStateTypeTests
{
    [Fact]
    public void PersistentState_EveryStoredTypeOfOurs_IsAllowedByTheStorageSerializer()
    {
        var stored = typeof(global::DomioOps.Cloud.Machines.MachineGrain).Assembly.GetTypes()
            .SelectMany(t => t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            .SelectMany(c => c.GetParameters())
            .Where(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(IPersistentState<>))
            .Select(p => p.ParameterType.GetGenericArguments()[0])
            .Distinct()
            .ToList();
        Assert.Contains(typeof(global::DomioOps.Cloud.Ingestion.EdgeState), stored);

        var reached = new HashSet<Type>();
        foreach (var type in stored)
        {
            Reach(type, reached);
        }

        var refused = reached.Where(t => t.GetCustomAttribute<GenerateSerializerAttribute>() is null && !t.IsEnum).Select(t => t.FullName).Order(StringComparer.Ordinal);
        Assert.Empty(refused);
    }

    /// <summary>The type and, through its properties, collections and nullables, every DomioOps type it stores.</summary>
    private static void Reach(Type type, HashSet<Type> reached)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            Reach(inner, reached);
            return;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Reach(argument, reached);
            }
        }

        if (type.Namespace?.StartsWith("DomioOps", StringComparison.Ordinal) != true || !reached.Add(type))
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Reach(property.PropertyType, reached);
        }
    }
}
