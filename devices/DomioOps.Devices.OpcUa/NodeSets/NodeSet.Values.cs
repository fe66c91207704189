using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace DomioOps.Devices.OpcUa.NodeSets;

public sealed partial class NodeSet
{
    /// <summary>Reads the XML encoding of variable values (OPC 10000-6 §5.3): built-in scalars, ListOf arrays, known structures.</summary>
    private sealed partial class Reader
    {
        private static readonly Dictionary<string, (BuiltInType Type, Type Clr)> BuiltInTypeNames = new(StringComparer.Ordinal)
        {
            ["Boolean"] = (BuiltInType.Boolean, typeof(bool)),
            ["SByte"] = (BuiltInType.SByte, typeof(sbyte)),
            ["Byte"] = (BuiltInType.Byte, typeof(byte)),
            ["Int16"] = (BuiltInType.Int16, typeof(short)),
            ["UInt16"] = (BuiltInType.UInt16, typeof(ushort)),
            ["Int32"] = (BuiltInType.Int32, typeof(int)),
            ["UInt32"] = (BuiltInType.UInt32, typeof(uint)),
            ["Int64"] = (BuiltInType.Int64, typeof(long)),
            ["UInt64"] = (BuiltInType.UInt64, typeof(ulong)),
            ["Float"] = (BuiltInType.Float, typeof(float)),
            ["Double"] = (BuiltInType.Double, typeof(double)),
            ["String"] = (BuiltInType.String, typeof(string)),
            ["DateTime"] = (BuiltInType.DateTime, typeof(DateTime)),
            ["Guid"] = (BuiltInType.Guid, typeof(Guid)),
            ["ByteString"] = (BuiltInType.ByteString, typeof(byte[])),
            ["NodeId"] = (BuiltInType.NodeId, typeof(NodeId)),
            ["ExpandedNodeId"] = (BuiltInType.ExpandedNodeId, typeof(ExpandedNodeId)),
            ["StatusCode"] = (BuiltInType.StatusCode, typeof(StatusCode)),
            ["QualifiedName"] = (BuiltInType.QualifiedName, typeof(QualifiedName)),
            ["LocalizedText"] = (BuiltInType.LocalizedText, typeof(LocalizedText)),
            ["ExtensionObject"] = (BuiltInType.ExtensionObject, typeof(ExtensionObject)),
        };

        public Variant ReadValue(XElement node, NodeId nodeId)
        {
            var value = node.Element(NodeSetNamespace + "Value")?.Elements().FirstOrDefault();
            if (value is null)
            {
                return Variant.Null;
            }

            try
            {
                var name = value.Name.LocalName;
                if (name.StartsWith("ListOf", StringComparison.Ordinal) && BuiltInTypeNames.TryGetValue(name[6..], out var element))
                {
                    XElement[] items = [.. value.Elements()];
                    var array = Array.CreateInstance(element.Clr, items.Length);
                    for (var i = 0; i < items.Length; i++)
                    {
                        array.SetValue(Scalar(element.Type, items[i]), i);
                    }

                    return element.Type == BuiltInType.Byte ? Variant.ByteArray((byte[])array) : new Variant(array);
                }

                if (BuiltInTypeNames.TryGetValue(name, out var scalar))
                {
                    return new Variant(Scalar(scalar.Type, value));
                }

                throw new NotSupportedException($"<{name}> values are not supported");
            }
            catch (NotSupportedException e)
            {
                _skipped.Add(new NodeSetSkip(Line(value), nodeId, e.Message, IsValue: true));
                return Variant.Null;
            }
            catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
            {
                throw Error(value, $"the value of {nodeId} is invalid: {e.Message}", e);
            }
        }

        private object Scalar(BuiltInType type, XElement e)
        {
            var text = e.Value.Trim();
            return type switch
            {
                BuiltInType.Boolean => XmlConvert.ToBoolean(text),
                BuiltInType.SByte => sbyte.Parse(text, CultureInfo.InvariantCulture),
                BuiltInType.Byte => byte.Parse(text, CultureInfo.InvariantCulture),
                BuiltInType.Int16 => short.Parse(text, CultureInfo.InvariantCulture),
                BuiltInType.UInt16 => ushort.Parse(text, CultureInfo.InvariantCulture),
                BuiltInType.Int32 => int.Parse(text, CultureInfo.InvariantCulture),
                BuiltInType.UInt32 => uint.Parse(text, CultureInfo.InvariantCulture),
                BuiltInType.Int64 => long.Parse(text, CultureInfo.InvariantCulture),
                BuiltInType.UInt64 => ulong.Parse(text, CultureInfo.InvariantCulture),
                BuiltInType.Float => XmlConvert.ToSingle(text),
                BuiltInType.Double => XmlConvert.ToDouble(text),
                BuiltInType.String => e.Value,
                BuiltInType.DateTime => XmlConvert.ToDateTime(text, XmlDateTimeSerializationMode.Utc),
                BuiltInType.Guid => Guid.Parse(Child(e, "String")?.Value ?? text),
                BuiltInType.ByteString => Convert.FromBase64String(text),
                BuiltInType.NodeId => NodeIdOf(e, Child(e, "Identifier")?.Value.Trim() ?? text),
                BuiltInType.ExpandedNodeId => new ExpandedNodeId(NodeIdOf(e, Child(e, "Identifier")?.Value.Trim() ?? text)),
                BuiltInType.StatusCode => new StatusCode(uint.Parse(Child(e, "Code")?.Value ?? text, CultureInfo.InvariantCulture)),
                BuiltInType.QualifiedName => new QualifiedName(
                    CheckIndex(e, int.Parse(Child(e, "NamespaceIndex")?.Value ?? "0", CultureInfo.InvariantCulture)),
                    Child(e, "Name")?.Value),
                BuiltInType.LocalizedText => LocalizedTextOf(e),
                BuiltInType.ExtensionObject => ExtensionObjectOf(e),
                _ => throw new NotSupportedException($"<{e.Name.LocalName}> values are not supported"),
            };
        }

        private static XElement? Child(XElement e, string name) => e.Element(TypesNamespace + name);

        private static LocalizedText LocalizedTextOf(XElement e) =>
            new(Child(e, "Locale")?.Value is { Length: > 0 } locale ? locale : null, Child(e, "Text")?.Value);

        /// <summary>
        /// The structures companion models put in values: Argument, EnumValueType, EUInformation and Range. Their TypeId in
        /// XML is the XML encoding node; the value keeps the decoded structure, which encodes as its DefaultBinary.
        /// </summary>
        private ExtensionObject ExtensionObjectOf(XElement e)
        {
            var body = Child(e, "Body")?.Elements().FirstOrDefault() ?? throw new NotSupportedException("an ExtensionObject without a body");
            object structure = body.Name.LocalName switch
            {
                "Argument" => new Argument(
                    Child(body, "Name")?.Value,
                    Child(body, "DataType") is { } dataType ? NodeIdOf(dataType, Child(dataType, "Identifier")?.Value.Trim() ?? "i=24") : new NodeId(0, 24u),
                    int.Parse(Child(body, "ValueRank")?.Value ?? "-1", CultureInfo.InvariantCulture),
                    Child(body, "ArrayDimensions") is { } dims ? [.. dims.Elements().Select(d => uint.Parse(d.Value, CultureInfo.InvariantCulture))] : null,
                    Child(body, "Description") is { } description ? LocalizedTextOf(description) : null),
                "EnumValueType" => new EnumValueType(
                    long.Parse(Child(body, "Value")?.Value ?? "0", CultureInfo.InvariantCulture),
                    Child(body, "DisplayName") is { } displayName ? LocalizedTextOf(displayName) : LocalizedText.Null,
                    Child(body, "Description") is { } description ? LocalizedTextOf(description) : null),
                "EUInformation" => new EUInformation(
                    Child(body, "NamespaceUri")?.Value,
                    int.Parse(Child(body, "UnitId")?.Value ?? "0", CultureInfo.InvariantCulture),
                    Child(body, "DisplayName") is { } displayName ? LocalizedTextOf(displayName) : LocalizedText.Null,
                    Child(body, "Description") is { } description ? LocalizedTextOf(description) : null),
                "Range" => new Range(
                    XmlConvert.ToDouble(Child(body, "Low")?.Value ?? "0"),
                    XmlConvert.ToDouble(Child(body, "High")?.Value ?? "0")),
                _ => throw new NotSupportedException($"ExtensionObject bodies of type {body.Name.LocalName} are not supported"),
            };
            var encodeable = (Encoding.IEncodeable)structure;
            return new ExtensionObject(new NodeId(0, encodeable.BinaryEncodingId), structure);
        }
    }
}
