using System.IO.Ports;

using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Server;
using DomioOps.Devices.Modbus.Transport;
using DomioOps.Edge.Acquisition;
using DomioOps.Edge.Configuration;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Microsoft.Extensions.Options;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>
/// Two units configured on one serial port (a socat pseudo-terminal pair, our Modbus serial server at the other end):
/// one answers, the other is dead. The edge runs as configured (the DeviceAcquisition service), one master for the port.
/// </summary>
public sealed class ModbusSerialBusTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly AcquisitionFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(ModbusSerialFraming.Rtu)]
    [InlineData(ModbusSerialFraming.Ascii)]
    public async Task Acquisition_OneDeadUnitOnThePort_TheLiveUnitKeepsBeingPolled(ModbusSerialFraming framing)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pty = await SocatPtyPair.StartAsync(ct);
        await using var units = new ModbusSerialServer(new ModbusSerialPortOptions(pty.PathA, 115200) { Parity = Parity.None }, new ModbusSerialServerOptions { Framing = framing });
        var live = units.AddUnit(1);
        units.AddUnit(2);
        long livePolls = 0;
        long deadRequests = 0;

        // Every read of the live meter sees a new energy count, so every poll becomes a sample; the second meter hears
        // its requests and never answers (a dead unit on the line).
        live.BeforeRead = (_, _, _) => live.SetHoldingRegisters(0, [(ushort)Interlocked.Increment(ref livePolls)]);
        units.Fault = unit => unit == 2 && Interlocked.Increment(ref deadRequests) > 0 ? new ModbusServerFault(ModbusServerFaultKind.NoAnswer) : ModbusServerFault.None;
        await units.StartAsync(ct);

        var options = Options.Create(new EdgeOptions
        {
            DataDirectory = Path.GetTempPath(),
            Devices = new DevicesOptions
            {
                ModbusSerial =
                [
                    new ModbusSerialBusOptions
                    {
                        SerialPort = pty.PathB,
                        BaudRate = 115200,
                        Parity = Parity.None,
                        Framing = framing,
                        ResponseTimeout = TimeSpan.FromMilliseconds(200),
                        FailuresBeforeOpen = 3,
                        OpenDuration = TimeSpan.FromSeconds(1),
                        Units =
                        [
                            new ModbusUnitOptions { Machine = "meter-01", UnitId = 1, PollInterval = TimeSpan.FromMilliseconds(50), Tags = [new RegisterTagOptions { Signal = Signal.Energy, Register = 0 }] },
                            new ModbusUnitOptions { Machine = "meter-02", UnitId = 2, PollInterval = TimeSpan.FromMilliseconds(50), Tags = [new RegisterTagOptions { Signal = Signal.Energy, Register = 0 }] },
                        ],
                    },
                ],
            },
        });
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        using var devices = new DomioOps.Edge.Configuration.DeviceConfiguration(configuration, options, new EdgeOptionsValidation(configuration), EdgeTestMetrics.Create(TimeProvider.System), Microsoft.Extensions.Logging.Abstractions.NullLogger<DomioOps.Edge.Configuration.DeviceConfiguration>.Instance);
        using var acquisition = new DeviceAcquisition(devices, options, _fixture.Context(TimeProvider.System), Microsoft.Extensions.Logging.Abstractions.NullLogger<DeviceAcquisition>.Instance);
        await acquisition.StartAsync(ct);
        try
        {
            await _fixture.WaitForHealthAsync("meter-01", DeviceHealth.Connected, Patience);
            await _fixture.WaitForHealthAsync("meter-02", DeviceHealth.Failing, Patience);

            // While the dead unit keeps failing (timeouts, then its open circuit, then trials), the live one keeps being read:
            // the dead one costs the line a few timeouts per open period, the live one is polled every 50 ms in between.
            var deadBefore = Interlocked.Read(ref deadRequests);
            var pollsBefore = Interlocked.Read(ref livePolls);
            await _fixture.WaitForSamplesAsync(s => s.Count(x => x.Machine == "meter-01") >= pollsBefore + 60, Patience, "60 more polls of the live unit");
            var deadDuring = Interlocked.Read(ref deadRequests) - deadBefore;
            var liveDuring = Interlocked.Read(ref livePolls) - pollsBefore;
            Assert.True(deadDuring >= 1, "the dead unit is still tried (circuit trials)");
            Assert.True(liveDuring >= 5 * deadDuring, $"live unit polls {liveDuring} while the dead one was asked {deadDuring} times");
            Assert.Equal(DeviceHealth.Failing, _fixture.Status.Devices["meter-02"].Health);
            Assert.Equal(DeviceHealth.Connected, _fixture.Status.Devices["meter-01"].Health);
            Assert.DoesNotContain(_fixture.Samples(), s => s.Machine == "meter-02");
            Assert.Contains("unit 2", _fixture.Status.Devices["meter-02"].LastError ?? "", StringComparison.Ordinal);

            // Each live poll is one sample with the next count: none was lost or repeated.
            var energy = _fixture.Samples().Where(s => s.Machine == "meter-01").Select(s => s.Number).ToList();
            Assert.Equal(energy.Distinct().Order(), energy);
        }
        finally
        {
            await acquisition.StopAsync(CancellationToken.None);
        }
    }
}
