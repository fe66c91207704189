namespace DomioOps.Devices.Modbus;

/// <summary>
/// One table of a <see cref="ModbusDataModel"/>: bits (coils, discrete inputs) or 16-bit registers (holding,
/// input). Thread-safe; every table of one model shares the model's lock.
/// </summary>
public abstract class ModbusValueTable<T>
    where T : struct
{
    private readonly T[] values;
    private readonly Lock gate;

    private protected ModbusValueTable(int count, Lock gate)
    {
        values = new T[count];
        this.gate = gate;
    }

    public int Count => values.Length;

    public T this[int address]
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

    /// <summary>Sets consecutive values from <paramref name="address"/> in one step.</summary>
    public void Set(int address, ReadOnlySpan<T> source)
    {
        lock (gate)
        {
            source.CopyTo(values.AsSpan(address));
        }
    }

    /// <summary>Copies consecutive values from <paramref name="address"/> in one step.</summary>
    public void CopyTo(int address, Span<T> destination)
    {
        lock (gate)
        {
            values.AsSpan(address, destination.Length).CopyTo(destination);
        }
    }

    internal Span<T> Unlocked(int address, int count) => values.AsSpan(address, count);
}
