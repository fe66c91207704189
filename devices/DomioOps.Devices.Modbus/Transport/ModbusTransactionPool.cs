namespace DomioOps.Devices.Modbus.Transport;

/// <summary>
/// A client's idle transactions, so that a request costs no allocation. A stack in an array under a lock:
/// unlike <c>ConcurrentStack</c>, returning a transaction allocates nothing. Keeps at most <c>capacity</c>;
/// a burst beyond that allocates and the surplus is left to the GC.
/// </summary>
internal sealed class ModbusTransactionPool(int capacity)
{
    private readonly Lock _gate = new();
    private readonly ModbusTransaction[] _idle = new ModbusTransaction[capacity];
    private int _count;

    public ModbusTransaction Rent()
    {
        lock (_gate)
        {
            if (_count > 0)
            {
                var t = _idle[--_count];
                _idle[_count] = null!;
                return t;
            }
        }

        return new ModbusTransaction();
    }

    public void Return(ModbusTransaction transaction)
    {
        transaction.Reset();
        lock (_gate)
        {
            if (_count < _idle.Length)
            {
                _idle[_count++] = transaction;
            }
        }
    }
}
