using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>Limits of <see cref="ModbusReadPlanner"/>.</summary>
public sealed record ModbusReadPlannerOptions
{
    /// <summary>Registers per request: 125 by the spec (§6.3), lower for devices that answer less.</summary>
    public int MaxRegisters { get; init; } = ModbusPdu.MaxReadRegisters;

    /// <summary>Bits per request: 2000 by the spec (§6.1).</summary>
    public int MaxBits { get; init; } = ModbusPdu.MaxReadBits;

    /// <summary>Unused addresses allowed between two tags read in one request.</summary>
    public int MaxGap { get; init; } = 16;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRegisters, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRegisters, ModbusPdu.MaxReadRegisters);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBits, ModbusPdu.MaxReadBits);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxGap);
    }
}
