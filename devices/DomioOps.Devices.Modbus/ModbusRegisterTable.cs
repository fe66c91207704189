namespace DomioOps.Devices.Modbus;

/// <summary>A table of 16-bit registers in a <see cref="ModbusDataModel"/>; thread-safe.</summary>
public sealed class ModbusRegisterTable
{
    private readonly ushort[] values;
    private readonly Lock gate;

    internal ModbusRegisterTable(int count, Lock gate)
    {
        values = new ushort[count];
        this.gate = gate;
    }

    public int Count => values.Length;

    public ushort this[int address]
    {
        get
        {
            lock (gate)
            {
                return values[address];
            }
        }

        set
        {
            lock (gate)
            {
                values[address] = value;
            }
        }
    }

    /// <summary>Sets consecutive registers from <paramref name="address"/> in one step.</summary>
    public void Set(int address, ReadOnlySpan<ushort> source)
    {
        lock (gate)
        {
            source.CopyTo(values.AsSpan(address));
        }
    }

    /// <summary>Copies consecutive registers from <paramref name="address"/> in one step.</summary>
    public void CopyTo(int address, Span<ushort> destination)
    {
        lock (gate)
        {
            values.AsSpan(address, destination.Length).CopyTo(destination);
        }
    }

    internal Span<ushort> Unlocked(int address, int count) => values.AsSpan(address, count);
}
