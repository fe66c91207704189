namespace DomioOps.Simulators.PanelSaws;

/// <summary>
/// The saw's Modbus holding registers (zero-based addresses; 32-bit values high word first). Documented
/// in the simulators' README.
/// <code>
/// 0     machine state   0 Offline, 1 Standby, 2 Ready, 3 Working, 4 Error
/// 1–2   piece counter   uint32
/// 3     blade current   uint16, 0.1 A
/// 4–5   cycle counter   uint32
/// 6     feed speed      uint16, 0.1 m/min
/// 7     alarm code      uint16, 0 = none
/// </code>
/// </summary>
internal static class PanelSawRegisterMap
{
    public const ushort State = 0;
    public const ushort Pieces = 1;
    public const ushort BladeMotorCurrent = 3;
    public const ushort Cycles = 4;
    public const ushort FeedSpeed = 6;
    public const ushort AlarmCode = 7;
    public const int Count = 8;

    public static void Write(PanelSaw saw, Span<ushort> registers)
    {
        registers[State] = (ushort)saw.State;
        WriteUInt32(registers[Pieces..], saw.Pieces);
        registers[BladeMotorCurrent] = (ushort)Math.Round(saw.BladeMotorCurrent * 10);
        WriteUInt32(registers[Cycles..], saw.Cycles);
        registers[FeedSpeed] = (ushort)Math.Round(saw.FeedSpeed * 10);
        registers[AlarmCode] = saw.AlarmCode;
    }

    private static void WriteUInt32(Span<ushort> registers, uint value) => (registers[0], registers[1]) = ((ushort)(value >> 16), (ushort)value);
}
