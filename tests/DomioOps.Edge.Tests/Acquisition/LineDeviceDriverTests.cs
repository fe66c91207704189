using System.IO.Ports;
using System.Net;
using System.Net.Sockets;
using System.Text;

using DomioOps.Devices.Serial;
using DomioOps.Edge.Acquisition;
using DomioOps.Models.Wire;
using DomioOps.Testing;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>The ASCII line driver over a TCP connection to a test device, and over a socat pseudo-terminal pair.</summary>
public sealed class LineDeviceDriverTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly AcquisitionFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task RunAsync_Tcp_LinesParsedGarbageDroppedAndReconnectAfterClose()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var device = Device(d => (d.Host, d.Port) = ("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port));
        var driver = new LineDeviceDriver(device, _fixture.Context(TimeProvider.System));
        await using var run = new DriverRun(driver.RunAsync);

        using (var first = await listener.AcceptTcpClientAsync(ct))
        {
            var stream = first.GetStream();
            await SendAsync(stream, Nmea("EB ST=WORKING PCS=1 GLUE=189.6"), ct);
            await _fixture.WaitForSamplesAsync(s => s.Any(x => x is { Signal: Signal.PieceCounter, Number: 1 }), Patience, "piece 1");
            await _fixture.WaitForHealthAsync("eb-01", DeviceHealth.Connected, Patience);

            // A corrupted line (checksum of another text) and a line of nothing configured are dropped; the device is degraded.
            await SendAsync(stream, "$EB ST=WORKING PCS=99*00", ct);
            await _fixture.WaitForHealthAsync("eb-01", DeviceHealth.Degraded, Patience);
            await SendAsync(stream, Nmea("EB PCS=2"), ct);
            await _fixture.WaitForSamplesAsync(s => s.Any(x => x is { Signal: Signal.PieceCounter, Number: 2 }), Patience, "piece 2");
            await _fixture.WaitForHealthAsync("eb-01", DeviceHealth.Connected, Patience);
        }

        // The device closed the connection: the driver reconnects on its own.
        using (var second = await listener.AcceptTcpClientAsync(ct))
        {
            await SendAsync(second.GetStream(), Nmea("EB PCS=3 ST=ERROR"), ct);
            await _fixture.WaitForSamplesAsync(s => s.Any(x => x is { Signal: Signal.PieceCounter, Number: 3 }), Patience, "piece 3 after the reconnect");
        }

        var samples = _fixture.Samples();
        Assert.Equal([1d, 2, 3], samples.Where(s => s.Signal == Signal.PieceCounter).Select(s => s.Number));
        Assert.Equal([3d, 4], samples.Where(s => s.Signal == Signal.MachineState).Select(s => s.Number));
        Assert.Equal([189.6], samples.Where(s => s.Signal == Signal.GlueTemperature).Select(s => s.Number));
        Assert.DoesNotContain(samples, s => s.Number == 99);
        Assert.Equal(1, driver.Dropped);
        Assert.Equal(2, driver.Connects);
    }

    [Fact]
    public async Task RunAsync_TcpWithRequest_AsksForEveryLine()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var device = Device(d => (d.Host, d.Port, d.Request, d.RequestInterval) = ("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, @"?PCS\r\n", TimeSpan.FromMilliseconds(20)));
        await using var run = new DriverRun(new LineDeviceDriver(device, _fixture.Context(TimeProvider.System)).RunAsync);

        // The device answers each request with the next piece count.
        using var connection = await listener.AcceptTcpClientAsync(ct);
        using var reader = new StreamReader(connection.GetStream(), Encoding.ASCII);
        for (var piece = 1; piece <= 5; piece++)
        {
            Assert.Equal("?PCS", await reader.ReadLineAsync(ct));
            await SendAsync(connection.GetStream(), Nmea($"EB PCS={piece}"), ct);
        }

        await _fixture.WaitForSamplesAsync(s => s.Count(x => x.Signal == Signal.PieceCounter) == 5, Patience, "five piece counts");
    }

    [Fact]
    public async Task RunAsync_SerialPty_LinesReadAndSilenceReportedThenHealed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pty = await SocatPtyPair.StartAsync(ct);
        using var machine = new SerialPort(pty.PathA, 9600, Parity.None, 8, StopBits.One);
        machine.Open();
        var device = Device(d => (d.SerialPort, d.SilenceTimeout) = (pty.PathB, TimeSpan.FromSeconds(1)));
        var driver = new LineDeviceDriver(device, _fixture.Context(TimeProvider.System));
        await using var run = new DriverRun(driver.RunAsync);

        var piece = 0;
        async Task SendUntilAsync(Func<IReadOnlyList<Sample>, bool> condition, string what)
        {
            while (!condition(_fixture.Samples()))
            {
                machine.Write(Nmea($"EB PCS={++piece}"));
                await Task.Delay(50, ct);
                Assert.True(piece < 1000, $"gave up waiting for {what}");
            }
        }

        await SendUntilAsync(s => s.Count(x => x.Signal == Signal.PieceCounter) >= 5, "five piece counts");
        await _fixture.WaitForHealthAsync("eb-01", DeviceHealth.Connected, Patience);

        // The machine falls silent: after SilenceTimeout the driver reports it failing and reopens the port.
        await _fixture.WaitForHealthAsync("eb-01", DeviceHealth.Failing, Patience);
        var before = _fixture.Samples().Count;
        await SendUntilAsync(s => s.Count > before + 5, "five more piece counts after the silence");
        await _fixture.WaitForHealthAsync("eb-01", DeviceHealth.Connected, Patience);

        var counts = _fixture.Samples().Where(s => s.Signal == Signal.PieceCounter).Select(s => s.Number).ToList();
        Assert.Equal(counts.Order(), counts);
        Assert.True(driver.Connects >= 2);
    }

    private static LineDeviceOptions Device(Action<LineDeviceOptions> where)
    {
        var device = new LineDeviceOptions
        {
            Machine = "eb-01",
            Checksum = LineChecksum.Nmea,
            SilenceTimeout = TimeSpan.FromSeconds(10),
            Fields =
            [
                new LineFieldOptions { Signal = Signal.MachineState, Key = "ST", Values = new() { ["WORKING"] = 3, ["ERROR"] = 4 } },
                new LineFieldOptions { Signal = Signal.PieceCounter, Key = "PCS" },
                new LineFieldOptions { Signal = Signal.GlueTemperature, Key = "GLUE" },
            ],
        };
        where(device);
        return device;
    }

    private static string Nmea(string text) => $"${text}*{text.Aggregate(0, (x, c) => x ^ c):X2}\r\n";

    private static async Task SendAsync(Stream stream, string line, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(line.EndsWith('\n') ? line : line + "\r\n"), ct);
        await stream.FlushAsync(ct);
    }
}
