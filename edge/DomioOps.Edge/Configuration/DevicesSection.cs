using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;

using DomioOps.Edge.Acquisition;
using DomioOps.ServiceDefaults;

namespace DomioOps.Edge.Configuration;

/// <summary>
/// Reads <c>Edge:Devices</c> into <see cref="DevicesOptions"/> as the configuration binder would (the same keys, values
/// converted by the same type converters, the providers merged key by key), from a <see cref="SectionTree"/> and the
/// source-generated <see cref="DevicesJsonContext"/>: linear in the number of keys, where the binder's walk through
/// <see cref="IConfiguration"/> is quadratic. Unlike the binder, an unknown key or a value that does not convert is an
/// error naming the file, the key and what is expected, never silently dropped.
/// </summary>
internal sealed class DevicesSection
{
    public const string Path = $"{EdgeOptions.Section}:{nameof(EdgeOptions.Devices)}";

    private readonly Dictionary<JsonTypeInfo, Dictionary<string, JsonPropertyInfo>> _properties = [];
    private readonly List<string> _errors;

    private DevicesSection(List<string> errors) => this._errors = errors;

    /// <summary>The devices <paramref name="configuration"/> sets; what cannot be read is added to <paramref name="errors"/>.</summary>
    public static DevicesOptions Read(IConfiguration configuration, List<string> errors)
    {
        var devices = new DevicesOptions();
        new DevicesSection(errors).BindObject(SectionTree.Read(configuration, Path), devices, DevicesJsonContext.Default.DevicesOptions);
        return devices;
    }

    private static JsonTypeInfo Info(Type type) => DevicesJsonContext.Default.GetTypeInfo(type) ?? throw new InvalidOperationException($"{type} is missing from {nameof(DevicesJsonContext)}");

    private void BindObject(SectionTree node, object target, JsonTypeInfo type)
    {
        if (!_properties.TryGetValue(type, out var byName))
        {
            _properties[type] = byName = type.Properties.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        }

        foreach (var child in node.Children)
        {
            if (!byName.TryGetValue(child.Key, out var property))
            {
                Error(child, $"unknown key: remove it or check its spelling; the keys here are {string.Join(", ", type.Properties.Select(p => p.Name))}");
                continue;
            }

            var propertyType = Info(property.PropertyType);
            if (propertyType.Kind == JsonTypeInfoKind.None)
            {
                if (Value(child, property.PropertyType, out var value))
                {
                    property.Set!(target, value);
                }

                continue;
            }

            var instance = property.Get!(target);
            if (instance is null)
            {
                property.Set!(target, instance = propertyType.CreateObject!());
            }

            Bind(child, instance, propertyType);
        }
    }

    /// <summary>An object, a list or a dictionary; its own value (an empty array's "") is not a key of it.</summary>
    private void Bind(SectionTree node, object instance, JsonTypeInfo type)
    {
        if (node.Value is { Length: > 0 } text)
        {
            Error(node, $"'{text}' is not a valid value here: it takes {(type.Kind == JsonTypeInfoKind.Object ? "keys" : "a list")}, not a value");
        }

        // The binder's order, as ConfigurationRoot sorts children: numeric keys by number, then the others.
        var items = node.Children.OrderBy(c => c.Key, ConfigurationKeyComparer.Instance);
        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object:
                BindObject(node, instance, type);
                break;
            case JsonTypeInfoKind.Enumerable:
                var list = (IList)instance;
                foreach (var item in items)
                {
                    if (Item(item, type.ElementType!, out var value))
                    {
                        list.Add(value);
                    }
                }

                break;
            case JsonTypeInfoKind.Dictionary:
                var dictionary = (IDictionary)instance;
                foreach (var item in items)
                {
                    if (Item(item, type.ElementType!, out var value))
                    {
                        dictionary[item.Key] = value;
                    }
                }

                break;
        }
    }

    private bool Item(SectionTree node, Type type, out object? value)
    {
        var info = Info(type);
        if (info.Kind == JsonTypeInfoKind.None)
        {
            return Value(node, type, out value);
        }

        value = info.CreateObject!();
        Bind(node, value, info);
        return true;
    }

    /// <summary>A value converted as the binder converts it (the type's <see cref="TypeConverter"/>, invariant culture).</summary>
    private bool Value(SectionTree node, Type type, out object? value)
    {
        value = null;
        foreach (var below in node.Children)
        {
            Error(below, $"unknown key: {node.Key} takes a value, not keys below it");
        }

        if (node.Value is not { } text)
        {
            return false;
        }

        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && text.Length == 0)
        {
            return true;
        }

        try
        {
            value = TypeDescriptor.GetConverter(underlying ?? type).ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException or InvalidCastException)
        {
            Error(node, $"'{text}' is not a valid value here: {Expected(underlying ?? type)}");
            return false;
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ when type == typeof(TimeSpan) => "a time span, e.g. \"00:00:00.500\"",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(double) => "a number",
        _ when type == typeof(byte) => "a whole number, 0-255",
        _ when type == typeof(ushort) => "a whole number, 0-65535",
        _ when type == typeof(uint) => "a whole number, 0-4294967295",
        _ when type == typeof(int) => "a whole number",
        _ when type == typeof(char) => "one character",
        _ => type.Name,
    };

    private void Error(SectionTree node, string problem)
    {
        var source = node.FirstSource();
        _errors.Add($"{(source is null ? "not set in any configuration file" : ConfigurationSources.Describe(source))}: {node.Path}: {problem}");
    }
}
