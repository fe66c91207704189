namespace DomioOps.Devices.Modbus.Server;

/// <summary>
/// One table of a <see cref="ModbusDataModel"/>: bits (coils, discrete inputs) or 16-bit registers (holding,
/// input). Thread-safe; every table of one model shares the model's lock.
/// </summary>
public abstract class ModbusValueTable<T>
    where T : struct
{
    private readonly T[] _values;
    private readonly Lock _gate;

    private protected ModbusValueTable(int count, Lock gate)
    {
        _values = new T[count];
        this._gate = gate;
    }

    public int Count => _values.Length;

    public T this[int address]
    {
        get
        {
            lock (_gate)
            {
                return _values[address];
            }
        }

        set
        {
            lock (_gate)
            {
                _values[address] = value;
            }
        }
    }

    /// <summary>Sets consecutive values from <paramref name="address"/> in one step.</summary>
    public void Set(int address, ReadOnlySpan<T> source)
    {
        lock (_gate)
        {
            source.CopyTo(_values.AsSpan(address));
        }
    }

    /// <summary>Copies consecutive values from <paramref name="address"/> in one step.</summary>
    public void CopyTo(int address, Span<T> destination)
    {
        lock (_gate)
        {
            _values.AsSpan(address, destination.Length).CopyTo(destination);
        }
    }

    internal Span<T> Unlocked(int address, int count) => _values.AsSpan(address, count);
}
