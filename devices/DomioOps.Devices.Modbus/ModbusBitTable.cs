namespace DomioOps.Devices.Modbus;

/// <summary>A table of single bits (coils or discrete inputs) in a <see cref="ModbusDataModel"/>; thread-safe.</summary>
public sealed class ModbusBitTable
{
    private readonly bool[] values;
    private readonly Lock gate;

    internal ModbusBitTable(int count, Lock gate)
    {
        values = new bool[count];
        this.gate = gate;
    }

    public int Count => values.Length;

    public bool this[int address]
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

    public void Set(int address, ReadOnlySpan<bool> source)
    {
        lock (gate)
        {
            source.CopyTo(values.AsSpan(address));
        }
    }

    public void CopyTo(int address, Span<bool> destination)
    {
        lock (gate)
        {
            values.AsSpan(address, destination.Length).CopyTo(destination);
        }
    }

    internal Span<bool> Unlocked(int address, int count) => values.AsSpan(address, count);
}
