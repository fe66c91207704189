namespace DomioOps.Devices.Modbus.Pdu;

/// <summary>
/// A device's identification objects (0x00 VendorName, 0x01 ProductCode, 0x02 MajorMinorRevision,
/// 0x03 VendorUrl, 0x04 ProductName, 0x05 ModelName, 0x06 UserApplicationName, 0x80.. private).
/// </summary>
public sealed record ModbusDeviceIdentification(byte ConformityLevel, IReadOnlyDictionary<byte, string> Objects)
{
    public string? VendorName => Objects.GetValueOrDefault((byte)0x00);
    public string? ProductCode => Objects.GetValueOrDefault((byte)0x01);
    public string? MajorMinorRevision => Objects.GetValueOrDefault((byte)0x02);
}
