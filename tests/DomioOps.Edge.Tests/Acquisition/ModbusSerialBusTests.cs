using System.IO.Ports;

using DomioOps.Devices.Modbus;
using DomioOps.Edge.Acquisition;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Microsoft.Extensions.Options;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>
/// Two slaves configured on one serial port (a socat pseudo-terminal pair, our Modbus serial server at the other end):
/// one answers, the other is dead. The edge runs as configured (the Acquisition service), one master for the port.
/// </summary>
public sealed class ModbusSerialBusTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly AcquisitionFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Theory]
    [InlineData(ModbusSerialFraming.Rtu)]
    [InlineData(ModbusSerialFraming.Ascii)]
    public async Task Acquisition_OneDeadSlaveOnThePort_TheLiveSlaveKeepsBeingPolled(ModbusSerialFraming framing)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pty = await SocatPtyPair.StartAsync(ct);
        await using var slaves = new ModbusSerialServer(new ModbusSerialPortOptions(pty.PathA, 115200) { Parity = Parity.None }, new ModbusSerialServerOptions { Framing = framing });
        var live = slaves.AddUnit(1);
        slaves.AddUnit(2);
        long livePolls = 0;
        long deadRequests = 0;

        // Every read of the live meter sees a new energy count, so every poll becomes a sample; the second meter hears
        // its requests and never answers (a dead slave on the line).
        live.BeforeRead = (_, _, _) => live.SetHoldingRegisters(0, [(ushort)Interlocked.Increment(ref livePolls)]);
        slaves.Fault = unit => unit == 2 && Interlocked.Increment(ref deadRequests) > 0 ? new ModbusServerFault(ModbusServerFaultKind.NoAnswer) : ModbusServerFault.None;
        await slaves.StartAsync(ct);

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
                        Slaves =
                        [
                            new ModbusSlaveOptions { Machine = "meter-01", UnitId = 1, PollInterval = TimeSpan.FromMilliseconds(50), Tags = [new RegisterTagOptions { Signal = Signal.Energy, Register = 0 }] },
                            new ModbusSlaveOptions { Machine = "meter-02", UnitId = 2, PollInterval = TimeSpan.FromMilliseconds(50), Tags = [new RegisterTagOptions { Signal = Signal.Energy, Register = 0 }] },
                        ],
                    },
                ],
            },
        });
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        using var devices = new DomioOps.Edge.Configuration.DeviceConfiguration(configuration, options, new EdgeOptionsValidation(configuration), EdgeTestMetrics.Create(TimeProvider.System), Microsoft.Extensions.Logging.Abstractions.NullLogger<DomioOps.Edge.Configuration.DeviceConfiguration>.Instance);
        using var acquisition = new DomioOps.Edge.Acquisition.Acquisition(devices, options, fixture.Context(TimeProvider.System), Microsoft.Extensions.Logging.Abstractions.NullLogger<DomioOps.Edge.Acquisition.Acquisition>.Instance);
        await acquisition.StartAsync(ct);
        try
        {
            await fixture.WaitForHealthAsync("meter-01", DeviceHealth.Connected, Patience);
            await fixture.WaitForHealthAsync("meter-02", DeviceHealth.Failing, Patience);

            // While the dead slave keeps failing (timeouts, then its open circuit, then trials), the live one keeps being read:
            // the dead one costs the line a few timeouts per open period, the live one is polled every 50 ms in between.
            var deadBefore = Interlocked.Read(ref deadRequests);
            var pollsBefore = Interlocked.Read(ref livePolls);
            await fixture.WaitForSamplesAsync(s => s.Count(x => x.Machine == "meter-01") >= pollsBefore + 60, Patience, "60 more polls of the live slave");
            var deadDuring = Interlocked.Read(ref deadRequests) - deadBefore;
            var liveDuring = Interlocked.Read(ref livePolls) - pollsBefore;
            Assert.True(deadDuring >= 1, "the dead slave is still tried (circuit trials)");
            Assert.True(liveDuring >= 5 * deadDuring, $"live slave polls {liveDuring} while the dead one was asked {deadDuring} times");
            Assert.Equal(DeviceHealth.Failing, fixture.Status.Devices["meter-02"].Health);
            Assert.Equal(DeviceHealth.Connected, fixture.Status.Devices["meter-01"].Health);
            Assert.DoesNotContain(fixture.Samples(), s => s.Machine == "meter-02");
            Assert.Contains("unit 2", fixture.Status.Devices["meter-02"].LastError ?? "", StringComparison.Ordinal);

            // Each live poll is one sample with the next count: none was lost or repeated.
            var energy = fixture.Samples().Where(s => s.Machine == "meter-01").Select(s => s.Number).ToList();
            Assert.Equal(energy.Distinct().Order(), energy);
        }
        finally
        {
            await acquisition.StopAsync(CancellationToken.None);
        }
    }
}
