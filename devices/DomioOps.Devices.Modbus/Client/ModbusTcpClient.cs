using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>
/// A <see cref="ModbusClient"/> over Modbus TCP with pipelining: up to <see cref="ModbusTcpClientOptions.MaxInFlight"/>
/// requests share one connection, matched by transaction id. Thread-safe. A lost connection is opened again on the
/// next request, with exponential back-off after failed attempts.
/// </summary>
/// <remarks>
/// Each connection has one thread of its own that receives with blocking calls, as libmodbus does, so an answer
/// wakes one thread instead of two (.NET's socket event thread, then a thread-pool thread). Answers complete on
/// that thread: the code after <c>await client.ReadHoldingRegistersAsync(...)</c> runs there until its next
/// <c>await</c>, and requests it sends meanwhile leave together in one send. Keep that code short and never
/// block it waiting for another request of the same client (sync-over-async): answers would wait behind it until
/// the request times out. Timeouts, cancellations and connection losses complete requests on thread-pool threads.
/// A read into a caller's buffer (the <c>Memory</c> overloads) allocates nothing once warm; requests started from
/// many threads at once can miss .NET's small per-thread caches of pooled async state and allocate it (figures in
/// benchmarks/README.md). Metrics: <see cref="ModbusMetrics"/>.
/// </remarks>
public sealed class ModbusTcpClient : ModbusClient
{
    public ModbusTcpClient(ModbusTcpClientOptions options, TimeProvider? timeProvider = null)
        : base(new ModbusTcpTransport(options, timeProvider))
    {
    }
}
