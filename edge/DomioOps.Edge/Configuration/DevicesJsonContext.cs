using System.Text.Json.Serialization;

using DomioOps.Edge.Acquisition;

namespace DomioOps.Edge.Configuration;

/// <summary>
/// Source-generated metadata of the device options: their properties, types and accessors, for reading
/// <c>Edge:Devices</c> (<see cref="DevicesSection"/>) and for fingerprints, without reflection.
/// </summary>
[JsonSerializable(typeof(DevicesOptions))]
internal sealed partial class DevicesJsonContext : JsonSerializerContext;
