using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;

using DomioOps.Devices.Modbus;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Devices.Tests.Modbus;

// The meter "DomioOps.Devices.Modbus" seen through a MeterListener. The meter is process-wide and other tests run in
// parallel, so each test counts only measurements tagged with its own endpoint.
public sealed class ModbusMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TcpClient_AnswersExceptionsTimeoutsAndReconnects_MoveTheirInstruments()
    {
        var time = new FakeTimeProvider();
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        int port = ((IPEndPoint)device.LocalEndpoint).Port;
        using var measurements = new Measurements($"127.0.0.1:{port}");
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", port) { MaxInFlight = 1, ReadRetries = 0, MinReconnectDelay = TimeSpan.Zero }, time);

        Task<ushort[]> answered = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        Socket first = await device.AcceptSocketAsync(Ct);
        await AnswerAsync(first, "0000 0005 01 03 02 002A");
        Assert.Equal(new ushort[] { 42 }, await answered);

        Task<ushort[]> refused = client.ReadHoldingRegistersAsync(1, 900, 1, Ct).AsTask();
        await AnswerAsync(first, "0000 0003 01 83 02");
        await Assert.ThrowsAsync<ModbusExceptionResponseException>(() => refused);

        Task<ushort[]> silent = client.ReadHoldingRegistersAsync(5, 0, 1, Ct).AsTask();
        await ReceiveAsync(first, 12);
        time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => silent);

        first.Dispose();
        await WaitUntilAsync(() => !client.IsConnected);
        Task<ushort[]> afterReconnect = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        using Socket second = await device.AcceptSocketAsync(Ct);
        await AnswerAsync(second, "0000 0005 01 03 02 0007");
        Assert.Equal(new ushort[] { 7 }, await afterReconnect);

        Assert.Equal(4, measurements.Sum("modbus.client.requests"));
        Assert.Equal(3, measurements.Count("modbus.client.round_trip"));
        Assert.Equal(1, measurements.Sum("modbus.client.exceptions", ("modbus.exception_code", 2), ("modbus.function", 3)));
        Assert.Equal(1, measurements.Sum("modbus.client.timeouts", ("modbus.unit", 5)));
        Assert.Equal(1, measurements.Sum("modbus.client.reconnects"));
        Assert.Equal("tcp", measurements.Tag("modbus.client.requests", "modbus.transport"));
    }

    [Fact]
    public async Task SerialClient_BadCrcAndDeadUnit_CountChecksumErrorAndCircuitOpen()
    {
        var time = new FakeTimeProvider();
        using ConnectedSockets line = await ConnectedSockets.CreateAsync(Ct);
        string endpoint = $"metrics-line-{Guid.NewGuid():N}";
        using var measurements = new Measurements(endpoint);
        await using var client = new ModbusSerialClient(
            _ => Task.FromResult(new ModbusLine(new NetworkStream(line.Master), null)),
            new ModbusSerialClientOptions { FailuresBeforeOpen = 2, OpenDuration = TimeSpan.FromSeconds(10) },
            TimeSpan.Zero,
            time,
            endpoint);

        Task<ushort[]> corrupted = client.ReadHoldingRegistersAsync(3, 0, 1, Ct).AsTask();
        await ReceiveAsync(line.Slave, 8);
        await line.Slave.SendAsync(Hex.Bytes("03 03 02 0005 0000"), Ct); // wrong CRC
        await Assert.ThrowsAsync<ModbusProtocolException>(() => corrupted);

        Task<ushort[]> silent = client.ReadHoldingRegistersAsync(3, 0, 1, Ct).AsTask();
        await ReceiveAsync(line.Slave, 8);
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => silent);
        Assert.Equal(ModbusCircuitState.Open, client.GetCircuitState(3));

        Assert.Equal(1, measurements.Sum("modbus.checksum_errors", ("modbus.framing", "rtu"), ("modbus.role", "client")));
        Assert.Equal(1, measurements.Sum("modbus.client.timeouts", ("modbus.unit", 3)));
        Assert.Equal(1, measurements.Sum("modbus.client.circuit_opens", ("modbus.unit", 3)));
        Assert.Equal(2, measurements.Sum("modbus.client.requests"));
        Assert.Equal("rtu", measurements.Tag("modbus.client.requests", "modbus.transport"));
    }

    private static async Task AnswerAsync(Socket device, string answerAfterTransactionId)
    {
        byte[] request = await ReceiveAsync(device, 12);
        await device.SendAsync((byte[])[request[0], request[1], .. Hex.Bytes(answerAfterTransactionId)], Ct);
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        for (int read = 0; read < count;)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), Ct);
            Assert.NotEqual(0, n);
            read += n;
        }

        return buffer;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }

        Assert.True(condition());
    }

    /// <summary>Every measurement of the Modbus meter whose <c>modbus.endpoint</c> is <c>endpoint</c>.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> recorded = new();

        public Measurements(string endpoint)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ModbusMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                var copy = new Dictionary<string, object?>();
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    copy[tag.Key] = tag.Value;
                }

                if (copy.TryGetValue("modbus.endpoint", out object? e) && (string?)e == endpoint)
                {
                    recorded.Enqueue((instrument.Name, value, copy));
                }
            }

            listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
            listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
            listener.Start();
        }

        public double Sum(string instrument, params (string Key, object Value)[] tags) =>
            Matching(instrument, tags).Sum(m => m.Value);

        public int Count(string instrument) => Matching(instrument, []).Count();

        public object? Tag(string instrument, string key) => Matching(instrument, []).First().Tags[key];

        public void Dispose() => listener.Dispose();

        private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Matching(string instrument, (string Key, object Value)[] tags) =>
            recorded.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out object? v) && Equals(v, t.Value)));
    }
}
