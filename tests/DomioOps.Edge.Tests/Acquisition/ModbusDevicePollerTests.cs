using DomioOps.Devices.Modbus;
using DomioOps.Edge.Acquisition;
using DomioOps.Edge.StoreAndForward;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Edge.Tests.Acquisition;

public sealed class ModbusDevicePollerTests
{
    private readonly FakeTimeProvider time = new();

    [Fact]
    public void Decode_TypesScalingAndWordOrder_GiveEngineeringValues()
    {
        var poller = Poller(
            new RegisterTagOptions { Signal = Signal.MachineState, Register = 10 },
            new RegisterTagOptions { Signal = Signal.PieceCounter, Register = 11, Type = ModbusDataType.UInt32 },
            new RegisterTagOptions { Signal = Signal.BladeMotorCurrent, Register = 13, Scale = 0.1 },
            new RegisterTagOptions { Signal = Signal.SpindleTemperature, Register = 14, Type = ModbusDataType.Int16, Offset = 100 },
            new RegisterTagOptions { Signal = Signal.FeedSpeed, Register = 15, Type = ModbusDataType.Float32 },
            new RegisterTagOptions { Signal = Signal.CycleCounter, Register = 17, Type = ModbusDataType.UInt32, ByteOrder = ModbusByteOrder.CDAB },
            new RegisterTagOptions { Signal = Signal.Alarm, Register = 19, Type = ModbusDataType.Bit, Bit = 3 });

        // 0x0001_0002 = 65538 pieces; 0x4148_0000 = 12.5f; word-swapped 0x0002_0001 = 131073; bit 3 of 0x0008.
        var samples = poller.Decode([3, 0x0001, 0x0002, 115, 0xFFF6, 0x4148, 0x0000, 0x0001, 0x0002, 0x0008]);

        Assert.Equal([3d, 65538, 11.5, 90, 12.5, 131073, 1], samples.Select(s => Math.Round(s.Number, 6)));
        Assert.All(samples, s => Assert.Equal("saw-01", s.Machine));
    }

    [Fact]
    public void Decode_UnchangedOrWithinDeadband_ReportsNothingUntilMaxSilence()
    {
        var poller = Poller(
            new RegisterTagOptions { Signal = Signal.PieceCounter, Register = 0 },
            new RegisterTagOptions { Signal = Signal.BladeMotorCurrent, Register = 1, Scale = 0.1, Deadband = 0.5, MaxSilence = TimeSpan.FromSeconds(10) });

        Assert.Equal(2, poller.Decode([5, 100]).Count);
        Assert.Empty(poller.Decode([5, 104]));
        Assert.Equal([Signal.PieceCounter], poller.Decode([6, 104]).Select(s => s.Signal));
        Assert.Equal([Signal.BladeMotorCurrent], poller.Decode([6, 106]).Select(s => s.Signal));

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([Signal.BladeMotorCurrent], poller.Decode([6, 106]).Select(s => s.Signal));
    }

    private ModbusDevicePoller Poller(params RegisterTagOptions[] tags)
    {
        var device = new ModbusDeviceOptions { Machine = "saw-01", Tags = [.. tags] };
        return new ModbusDevicePoller(device, null!, new DeviceStatusBoard(), time, EdgeTestMetrics.Create(time), NullLogger.Instance);
    }
}
