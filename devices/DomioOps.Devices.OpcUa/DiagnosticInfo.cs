namespace DomioOps.Devices.OpcUa;

/// <summary>Vendor diagnostics attached to a result (OPC 10000-4 §7.12); indexes point into a response's string table.</summary>
public sealed record DiagnosticInfo(
    int? SymbolicId = null,
    int? NamespaceUri = null,
    int? Locale = null,
    int? LocalizedText = null,
    string? AdditionalInfo = null,
    StatusCode? InnerStatusCode = null,
    DiagnosticInfo? InnerDiagnosticInfo = null);
