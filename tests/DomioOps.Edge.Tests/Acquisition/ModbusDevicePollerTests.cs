using System.Net;

using DomioOps.Devices.Modbus;
using DomioOps.Edge.Acquisition;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>The poller against our Modbus TCP server on loopback; time is fake, so reporting is deterministic.</summary>
public sealed class ModbusDevicePollerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new();
    private readonly ModbusTcpServer server = new(new ModbusTcpServerOptions(IPAddress.Loopback));
    private readonly AcquisitionFixture fixture = new();
    private ModbusDataModel unit = null!;
    private ModbusTcpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        unit = server.AddUnit(1);
        await server.StartAsync(TestContext.Current.CancellationToken);
        client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port) { MaxInFlight = 1 });
    }

    public async ValueTask DisposeAsync()
    {
        await client.DisposeAsync();
        await server.DisposeAsync();
        fixture.Dispose();
    }

    [Fact]
    public async Task PollAsync_TypesScalingAndWordOrder_GiveEngineeringValues()
    {
        var poller = Poller(
            new RegisterTagOptions { Signal = Signal.MachineState, Register = 10 },
            new RegisterTagOptions { Signal = Signal.PieceCounter, Register = 11, Type = ModbusDataType.UInt32 },
            new RegisterTagOptions { Signal = Signal.BladeMotorCurrent, Register = 13, Scale = 0.1 },
            new RegisterTagOptions { Signal = Signal.SpindleTemperature, Register = 14, Type = ModbusDataType.Int16, Offset = 100 },
            new RegisterTagOptions { Signal = Signal.FeedSpeed, Register = 15, Type = ModbusDataType.Float32 },
            new RegisterTagOptions { Signal = Signal.CycleCounter, Register = 17, Type = ModbusDataType.UInt32, ByteOrder = ModbusByteOrder.CDAB },
            new RegisterTagOptions { Signal = Signal.Alarm, Register = 19, Type = ModbusDataType.Bit, Bit = 3 },
            new RegisterTagOptions { Signal = Signal.Warning, Register = 19, Type = ModbusDataType.Bit, Bit = 4 });

        // 0x0001_0002 = 65538 pieces; 0x4148_0000 = 12.5f; word-swapped 0x0002_0001 = 131073; bits 3 and 4 of 0x0008.
        unit.SetHoldingRegisters(10, [3, 0x0001, 0x0002, 115, 0xFFF6, 0x4148, 0x0000, 0x0001, 0x0002, 0x0008]);
        var samples = await poller.PollAsync(TestContext.Current.CancellationToken);

        Assert.Equal([3d, 65538, 11.5, 90, 12.5, 131073, 1, 0], samples.Select(s => Math.Round(s.Number, 6)));
        Assert.All(samples, s => Assert.Equal("saw-01", s.Machine));
        Assert.Single(poller.Blocks);
    }

    [Fact]
    public async Task PollAsync_EveryTable_ReadInOneRequestPerTable()
    {
        var poller = Poller(
            new RegisterTagOptions { Signal = Signal.MachineState, Register = 0 },
            new RegisterTagOptions { Signal = Signal.Power, Table = ModbusTable.InputRegisters, Register = 100, Type = ModbusDataType.Float32 },
            new RegisterTagOptions { Signal = Signal.Emergency, Table = ModbusTable.Coils, Register = 5, Type = ModbusDataType.Bit },
            new RegisterTagOptions { Signal = Signal.MaintenanceRequired, Table = ModbusTable.DiscreteInputs, Register = 7, Type = ModbusDataType.Bit });
        unit.SetHoldingRegisters(0, [2]);
        unit.SetInputRegisters(100, [0x4148, 0x0000]);
        unit.Coils.Set(5, [true]);
        unit.DiscreteInputs.Set(7, [true]);

        var samples = await poller.PollAsync(TestContext.Current.CancellationToken);

        Assert.Equal(
            [(Signal.Emergency, 1d), (Signal.MachineState, 2), (Signal.MaintenanceRequired, 1), (Signal.Power, 12.5)],
            samples.Select(s => (s.Signal, s.Number)).OrderBy(s => s.Signal.ToString(), StringComparer.Ordinal));
        Assert.Equal(4, poller.Blocks.Count);
    }

    [Fact]
    public async Task PollAsync_UnchangedOrWithinDeadband_ReportsNothingUntilMaxSilence()
    {
        var poller = Poller(
            new RegisterTagOptions { Signal = Signal.PieceCounter, Register = 0 },
            new RegisterTagOptions { Signal = Signal.BladeMotorCurrent, Register = 1, Scale = 0.1, Deadband = 0.5, MaxSilence = TimeSpan.FromSeconds(10) });
        async Task<List<Signal>> Poll(ushort pieces, ushort current)
        {
            unit.SetHoldingRegisters(0, [pieces, current]);
            return [.. (await poller.PollAsync(TestContext.Current.CancellationToken)).Select(s => s.Signal)];
        }

        Assert.Equal(2, (await Poll(5, 100)).Count);
        Assert.Empty(await Poll(5, 104));
        Assert.Equal([Signal.PieceCounter], await Poll(6, 104));
        Assert.Equal([Signal.BladeMotorCurrent], await Poll(6, 106));

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([Signal.BladeMotorCurrent], await Poll(6, 106));
    }

    [Fact]
    public async Task PollAsync_ReportOnPeriod_ReportsEveryPeriodChangedOrNot()
    {
        var poller = Poller(new RegisterTagOptions { Signal = Signal.Energy, Register = 0, Report = TagReport.Period, Period = TimeSpan.FromSeconds(5) });
        async Task<int> Poll(ushort value)
        {
            unit.SetHoldingRegisters(0, [value]);
            return (await poller.PollAsync(TestContext.Current.CancellationToken)).Count;
        }

        Assert.Equal(1, await Poll(1));
        Assert.Equal(0, await Poll(2));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await Poll(2));
        Assert.Equal(0, await Poll(2));
    }

    [Fact]
    public async Task PollAsync_RefusedAddressInAGap_SplitsTheReadAndKeepsTheOtherTags()
    {
        // Registers 0-1 and 10 are mapped; the gap 2-9 is not, so the coalesced read 0..10 is refused.
        unit.BeforeRead = (table, address, count) =>
        {
            if (table == ModbusTable.HoldingRegisters && address < 10 && address + count > 2)
            {
                throw new ModbusExceptionResponseException(ModbusFunctionCode.ReadHoldingRegisters, ModbusExceptionCode.IllegalDataAddress);
            }
        };
        unit.SetHoldingRegisters(0, [7]);
        unit.SetHoldingRegisters(10, [9]);
        var poller = Poller(
            new RegisterTagOptions { Signal = Signal.PieceCounter, Register = 0 },
            new RegisterTagOptions { Signal = Signal.Alarm, Register = 10 });
        Assert.Single(poller.Blocks);

        var samples = await poller.PollAsync(TestContext.Current.CancellationToken);

        Assert.Equal([7d, 9], samples.Select(s => s.Number));
        Assert.Equal(2, poller.Blocks.Count);
    }

    private ModbusDevicePoller Poller(params RegisterTagOptions[] tags) =>
        new("saw-01", $"127.0.0.1:{server.Port}", 1, TimeSpan.FromMilliseconds(100), tags, client, fixture.Context(time));
}
