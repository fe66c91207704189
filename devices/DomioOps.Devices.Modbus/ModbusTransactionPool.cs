namespace DomioOps.Devices.Modbus;

/// <summary>
/// A client's idle transactions, so that a request costs no allocation. A stack in an array under a lock:
/// unlike <c>ConcurrentStack</c>, returning a transaction allocates nothing. Keeps at most <c>capacity</c>;
/// a burst beyond that allocates and the surplus is left to the GC.
/// </summary>
internal sealed class ModbusTransactionPool(int capacity)
{
    private readonly Lock gate = new();
    private readonly ModbusTransaction[] idle = new ModbusTransaction[capacity];
    private int count;

    public ModbusTransaction Rent()
    {
        lock (gate)
        {
            if (count > 0)
            {
                ModbusTransaction t = idle[--count];
                idle[count] = null!;
                return t;
            }
        }

        return new ModbusTransaction();
    }

    public void Return(ModbusTransaction transaction)
    {
        transaction.Reset();
        lock (gate)
        {
            if (count < idle.Length)
            {
                idle[count++] = transaction;
            }
        }
    }
}
