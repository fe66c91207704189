using System.Net;

using DomioOps.Devices.Modbus;
using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Server;
using DomioOps.Edge.Acquisition;
using DomioOps.Edge.Signals;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>The driver against our Modbus TCP server on loopback; time is fake, so reporting is deterministic.</summary>
public sealed class ModbusDeviceDriverTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly ModbusTcpServer _server = new(new ModbusTcpServerOptions(IPAddress.Loopback));
    private readonly AcquisitionFixture _fixture = new();
    private ModbusDataModel _unit = null!;
    private ModbusTcpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _unit = _server.AddUnit(1);
        await _server.StartAsync(TestContext.Current.CancellationToken);
        _client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", _server.Port) { MaxInFlight = 1 });
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        _fixture.Dispose();
    }

    [Fact]
    public async Task PollAsync_TypesScalingAndWordOrder_GiveEngineeringValues()
    {
        var driver = Driver(
            new RegisterTagOptions { Signal = Signal.MachineState, Register = 10 },
            new RegisterTagOptions { Signal = Signal.PieceCounter, Register = 11, Type = ModbusDataType.UInt32 },
            new RegisterTagOptions { Signal = Signal.BladeMotorCurrent, Register = 13, Scale = 0.1 },
            new RegisterTagOptions { Signal = Signal.SpindleTemperature, Register = 14, Type = ModbusDataType.Int16, Offset = 100 },
            new RegisterTagOptions { Signal = Signal.FeedSpeed, Register = 15, Type = ModbusDataType.Float32 },
            new RegisterTagOptions { Signal = Signal.CycleCounter, Register = 17, Type = ModbusDataType.UInt32, ByteOrder = ModbusByteOrder.CDAB },
            new RegisterTagOptions { Signal = Signal.Alarm, Register = 19, Type = ModbusDataType.Bit, Bit = 3 },
            new RegisterTagOptions { Signal = Signal.Warning, Register = 19, Type = ModbusDataType.Bit, Bit = 4 });

        // 0x0001_0002 = 65538 pieces; 0x4148_0000 = 12.5f; word-swapped 0x0002_0001 = 131073; bits 3 and 4 of 0x0008.
        _unit.SetHoldingRegisters(10, [3, 0x0001, 0x0002, 115, 0xFFF6, 0x4148, 0x0000, 0x0001, 0x0002, 0x0008]);
        var samples = await driver.PollAsync(TestContext.Current.CancellationToken);

        Assert.Equal([3d, 65538, 11.5, 90, 12.5, 131073, 1, 0], samples.Select(s => Math.Round(s.Number, 6)));
        Assert.All(samples, s => Assert.Equal("saw-01", s.Machine));
        Assert.Single(driver.Blocks);
    }

    [Fact]
    public async Task PollAsync_EveryTable_ReadInOneRequestPerTable()
    {
        var driver = Driver(
            new RegisterTagOptions { Signal = Signal.MachineState, Register = 0 },
            new RegisterTagOptions { Signal = Signal.Power, Table = ModbusTable.InputRegisters, Register = 100, Type = ModbusDataType.Float32 },
            new RegisterTagOptions { Signal = Signal.Emergency, Table = ModbusTable.Coils, Register = 5, Type = ModbusDataType.Bit },
            new RegisterTagOptions { Signal = Signal.MaintenanceRequired, Table = ModbusTable.DiscreteInputs, Register = 7, Type = ModbusDataType.Bit });
        _unit.SetHoldingRegisters(0, [2]);
        _unit.SetInputRegisters(100, [0x4148, 0x0000]);
        _unit.Coils.Set(5, [true]);
        _unit.DiscreteInputs.Set(7, [true]);

        var samples = await driver.PollAsync(TestContext.Current.CancellationToken);

        Assert.Equal(
            [(Signal.Emergency, 1d), (Signal.MachineState, 2), (Signal.MaintenanceRequired, 1), (Signal.Power, 12.5)],
            samples.Select(s => (s.Signal, s.Number)).OrderBy(s => s.Signal.ToString(), StringComparer.Ordinal));
        Assert.Equal(4, driver.Blocks.Count);
    }

    [Fact]
    public async Task PollAsync_UnchangedOrWithinDeadband_ReportsNothingUntilMaxSilence()
    {
        var driver = Driver(
            new RegisterTagOptions { Signal = Signal.PieceCounter, Register = 0 },
            new RegisterTagOptions { Signal = Signal.BladeMotorCurrent, Register = 1, Scale = 0.1, Deadband = 0.5, MaxSilence = TimeSpan.FromSeconds(10) });
        async Task<List<Signal>> Poll(ushort pieces, ushort current)
        {
            _unit.SetHoldingRegisters(0, [pieces, current]);
            return [.. (await driver.PollAsync(TestContext.Current.CancellationToken)).Select(s => s.Signal)];
        }

        Assert.Equal(2, (await Poll(5, 100)).Count);
        Assert.Empty(await Poll(5, 104));
        Assert.Equal([Signal.PieceCounter], await Poll(6, 104));
        Assert.Equal([Signal.BladeMotorCurrent], await Poll(6, 106));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([Signal.BladeMotorCurrent], await Poll(6, 106));
    }

    [Fact]
    public async Task PollAsync_ReportOnPeriod_ReportsEveryPeriodChangedOrNot()
    {
        var driver = Driver(new RegisterTagOptions { Signal = Signal.Energy, Register = 0, Report = TagReport.Period, Period = TimeSpan.FromSeconds(5) });
        async Task<int> Poll(ushort value)
        {
            _unit.SetHoldingRegisters(0, [value]);
            return (await driver.PollAsync(TestContext.Current.CancellationToken)).Count;
        }

        Assert.Equal(1, await Poll(1));
        Assert.Equal(0, await Poll(2));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await Poll(2));
        Assert.Equal(0, await Poll(2));
    }

    [Fact]
    public async Task PollAsync_RefusedAddressInAGap_SplitsTheReadAndKeepsTheOtherTags()
    {
        // Registers 0-1 and 10 are mapped; the gap 2-9 is not, so the coalesced read 0..10 is refused.
        _unit.BeforeRead = (table, address, count) =>
        {
            if (table == ModbusTable.HoldingRegisters && address < 10 && address + count > 2)
            {
                throw new ModbusExceptionResponseException(ModbusFunctionCode.ReadHoldingRegisters, ModbusExceptionCode.IllegalDataAddress);
            }
        };
        _unit.SetHoldingRegisters(0, [7]);
        _unit.SetHoldingRegisters(10, [9]);
        var driver = Driver(
            new RegisterTagOptions { Signal = Signal.PieceCounter, Register = 0 },
            new RegisterTagOptions { Signal = Signal.Alarm, Register = 10 });
        Assert.Single(driver.Blocks);

        var samples = await driver.PollAsync(TestContext.Current.CancellationToken);

        Assert.Equal([7d, 9], samples.Select(s => s.Number));
        Assert.Equal(2, driver.Blocks.Count);
    }

    private ModbusDeviceDriver Driver(params RegisterTagOptions[] tags) =>
        new("saw-01", $"127.0.0.1:{_server.Port}", 1, TimeSpan.FromMilliseconds(100), tags, _client, _fixture.Context(_time));
}
