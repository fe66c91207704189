using DomioOps.Devices.Modbus.Server;
using DomioOps.Simulators.Behaviour;

namespace DomioOps.Simulators.Faces;

/// <summary>
/// The Modbus register maps of the simulated machines (zero-based addresses, documented in the README).
/// 32-bit integers and floats are big-endian, high word first (ABCD); scaled values are rounded.
/// </summary>
internal static class RegisterMaps
{
    /// <summary>Panel saw, holding registers.</summary>
    public const int PanelSawCount = 17;

    /// <summary>Edgebander, holding registers.</summary>
    public const int EdgebanderCount = 15;

    /// <summary>Energy meter, holding and input registers alike.</summary>
    public const int EnergyMeterCount = 14;

    public static int CountOf(Scenarios.MachineKind kind) => kind switch
    {
        Scenarios.MachineKind.PanelSaw => PanelSawCount,
        Scenarios.MachineKind.Edgebander => EdgebanderCount,
        _ => EnergyMeterCount,
    };

    /// <summary>Writes the machine's registers into <paramref name="model"/>.</summary>
    public static void Publish(Scenarios.MachineKind kind, MachineReading r, ModbusDataModel model)
    {
        Span<ushort> registers = stackalloc ushort[CountOf(kind)];
        switch (kind)
        {
            case Scenarios.MachineKind.PanelSaw:
                registers[0] = (ushort)r.State;
                UInt32(registers[1..], r.PiecesOut);
                registers[3] = Scaled(r.BladeMotorCurrent, 10);
                UInt32(registers[4..], r.Cycles);
                registers[6] = Scaled(r.FeedSpeed, 10);
                registers[7] = r.Alarm;
                registers[8] = (ushort)r.Mode;
                registers[9] = (ushort)r.Flags;
                registers[10] = Scaled(r.BladeWear, 10);
                registers[11] = Scaled(r.CycleTime, 10);
                registers[12] = Scaled(r.BladeSpeed, 1);
                UInt32(registers[13..], r.PiecesIn);
                UInt32(registers[15..], r.RunsAborted);
                model.SetHoldingRegisters(0, registers);
                break;
            case Scenarios.MachineKind.Edgebander:
                registers[0] = (ushort)r.State;
                registers[1] = (ushort)r.Mode;
                registers[2] = (ushort)r.Flags;
                registers[3] = r.Alarm;
                UInt32(registers[4..], r.PiecesOut);
                registers[6] = Scaled(r.GlueTemperature, 10);
                registers[7] = Scaled(r.GlueSetpoint, 10);
                registers[8] = Scaled(r.FeedSpeed, 10);
                registers[9] = r.TrimmingUnit;
                registers[10] = Scaled(r.CycleTime, 10);
                UInt32(registers[11..], r.PiecesIn);
                UInt32(registers[13..], r.RunsAborted);
                model.SetHoldingRegisters(0, registers);
                break;
            default:
                Float(registers[0..], r.Voltage);
                Float(registers[2..], r.Current);
                Float(registers[4..], r.Power);
                Float(registers[6..], r.PowerFactor);
                Float(registers[8..], r.Frequency);
                Float(registers[10..], r.Energy);
                UInt32(registers[12..], (uint)Math.Min(uint.MaxValue, Math.Round(r.Energy * 1000)));
                model.SetHoldingRegisters(0, registers);
                model.SetInputRegisters(0, registers);
                break;
        }
    }

    private static ushort Scaled(double value, double factor) => (ushort)Math.Clamp(Math.Round(value * factor), 0, ushort.MaxValue);

    private static void UInt32(Span<ushort> registers, uint value) => (registers[0], registers[1]) = ((ushort)(value >> 16), (ushort)value);

    private static void Float(Span<ushort> registers, double value) => UInt32(registers, BitConverter.SingleToUInt32Bits((float)value));
}
