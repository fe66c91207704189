using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;

using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Transport;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Devices.Modbus.Tests.Client;

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
        var port = ((IPEndPoint)device.LocalEndpoint).Port;
        using var measurements = new Measurements($"127.0.0.1:{port}");
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", port) { MaxInFlight = 1, ReadRetries = 0, MinReconnectDelay = TimeSpan.Zero }, time);

        var answered = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        var first = await device.AcceptSocketAsync(Ct);
        await AnswerAsync(first, "0000 0005 01 03 02 002A");
        Assert.Equal(new ushort[] { 42 }, await answered);

        var refused = client.ReadHoldingRegistersAsync(1, 900, 1, Ct).AsTask();
        await AnswerAsync(first, "0000 0003 01 83 02");
        await Assert.ThrowsAsync<ModbusExceptionResponseException>(() => refused);

        var silent = client.ReadHoldingRegistersAsync(5, 0, 1, Ct).AsTask();
        await ReceiveAsync(first, 12);
        time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => silent);

        first.Dispose();
        await WaitUntilAsync(() => !client.IsConnected);
        var afterReconnect = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        using var second = await device.AcceptSocketAsync(Ct);
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
        using var line = await ConnectedSockets.CreateAsync(Ct);
        var endpoint = $"metrics-line-{Guid.NewGuid():N}";
        using var measurements = new Measurements(endpoint);
        await using var client = new ModbusSerialClient(
            _ => Task.FromResult(new ModbusLine(new NetworkStream(line.ClientEnd), null)),
            new ModbusSerialClientOptions { FailuresBeforeOpen = 2, OpenDuration = TimeSpan.FromSeconds(10) },
            TimeSpan.Zero,
            time,
            endpoint);

        var corrupted = client.ReadHoldingRegistersAsync(3, 0, 1, Ct).AsTask();
        await ReceiveAsync(line.ServerEnd, 8);
        await line.ServerEnd.SendAsync(Hex.Bytes("03 03 02 0005 0000"), Ct); // wrong CRC
        await Assert.ThrowsAsync<ModbusProtocolException>(() => corrupted);

        var silent = client.ReadHoldingRegistersAsync(3, 0, 1, Ct).AsTask();
        await ReceiveAsync(line.ServerEnd, 8);
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
        var request = await ReceiveAsync(device, 12);
        await device.SendAsync((byte[])[request[0], request[1], .. Hex.Bytes(answerAfterTransactionId)], Ct);
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), Ct);
            Assert.NotEqual(0, n);
            read += n;
        }

        return buffer;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }

        Assert.True(condition());
    }

    /// <summary>Every measurement of the Modbus meter whose <c>modbus.endpoint</c> is <c>endpoint</c>.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _recorded = new();

        public Measurements(string endpoint)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ModbusMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                var copy = new Dictionary<string, object?>();
                foreach (var tag in tags)
                {
                    copy[tag.Key] = tag.Value;
                }

                if (copy.TryGetValue("modbus.endpoint", out var e) && (string?)e == endpoint)
                {
                    _recorded.Enqueue((instrument.Name, value, copy));
                }
            }

            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
            _listener.Start();
        }

        public double Sum(string instrument, params (string Key, object Value)[] tags) =>
            Matching(instrument, tags).Sum(m => m.Value);

        public int Count(string instrument) => Matching(instrument, []).Count();

        public object? Tag(string instrument, string key) => Matching(instrument, []).First().Tags[key];

        public void Dispose() => _listener.Dispose();

        private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Matching(string instrument, (string Key, object Value)[] tags) =>
            _recorded.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)));
    }
}
