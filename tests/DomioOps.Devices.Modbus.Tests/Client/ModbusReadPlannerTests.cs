using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Server;

namespace DomioOps.Devices.Modbus.Tests.Client;

public sealed class ModbusReadPlannerTests
{
    private static ModbusTagAddress Holding(ushort address, ushort count = 1, byte unit = 1) => new(unit, ModbusTable.HoldingRegisters, address, count);

    [Fact]
    public void Plan_AdjacentAndSmallGaps_CoalescesIntoOneRequest()
    {
        var blocks = ModbusReadPlanner.Plan([Holding(10, 2), Holding(0), Holding(12), Holding(20, 2)], new ModbusReadPlannerOptions { MaxGap = 9 });
        var block = Assert.Single(blocks);
        Assert.Equal((ushort)0, block.Address);
        Assert.Equal((ushort)22, block.Count);
        Assert.Equal(4, block.Tags.Count);
    }

    [Fact]
    public void Plan_GapLargerThanMax_SplitsRequests()
    {
        var blocks = ModbusReadPlanner.Plan([Holding(0), Holding(5), Holding(100)], new ModbusReadPlannerOptions { MaxGap = 3 });
        Assert.Equal([(0, 1), (5, 1), (100, 1)], blocks.Select(b => ((int)b.Address, (int)b.Count)));
    }

    [Fact]
    public void Plan_Over125Registers_SplitsAtLimit()
    {
        var tags = Enumerable.Range(0, 150).Select(i => Holding((ushort)(i * 2), 2));
        var blocks = ModbusReadPlanner.Plan(tags);
        Assert.All(blocks, b => Assert.True(b.Count <= 125));
        Assert.Equal([(0, 124), (124, 124), (248, 52)], blocks.Select(b => ((int)b.Address, (int)b.Count)));
    }

    [Fact]
    public void Plan_Coils_UseTheBitLimit()
    {
        var tags = Enumerable.Range(0, 3000).Select(i => new ModbusTagAddress(1, ModbusTable.Coils, (ushort)i));
        Assert.Equal([(0, 2000), (2000, 1000)], ModbusReadPlanner.Plan(tags).Select(b => ((int)b.Address, (int)b.Count)));
    }

    [Fact]
    public void Plan_DifferentUnitsAndTables_NeverShareARequest()
    {
        var blocks = ModbusReadPlanner.Plan(
            [Holding(0), Holding(1, unit: 2), new ModbusTagAddress(1, ModbusTable.InputRegisters, 1)]);
        Assert.Equal(3, blocks.Count);
    }

    [Fact]
    public void Plan_OverlappingTags_ShareRegisters()
    {
        var block = Assert.Single(ModbusReadPlanner.Plan([Holding(0, 4), Holding(2, 2), Holding(1, 2)]));
        Assert.Equal((ushort)4, block.Count);
        ushort[] data = [10, 11, 12, 13];
        Assert.Equal(new ushort[] { 12, 13 }, block.Slice<ushort>(data, Holding(2, 2)).ToArray());
    }

    [Fact]
    public void SplitAfterIllegalAddress_BlockWithGaps_SplitsIntoGapFreeRuns()
    {
        var block = Assert.Single(ModbusReadPlanner.Plan([Holding(0, 2), Holding(2), Holding(10, 2)]));
        var runs = ModbusReadPlanner.SplitAfterIllegalAddress(block);
        Assert.Equal([(0, 3), (10, 2)], runs.Select(b => ((int)b.Address, (int)b.Count)));

        var single = ModbusReadPlanner.SplitAfterIllegalAddress(runs[0]);
        Assert.Equal([(0, 2), (2, 1)], single.Select(b => ((int)b.Address, (int)b.Count)));
        Assert.Empty(ModbusReadPlanner.SplitAfterIllegalAddress(single[1]));
    }

    [Fact]
    public async Task SplitAfterIllegalAddress_DeviceWithHole_EveryTagReadable()
    {
        // A device maps 0..9 and 20..29 only: the coalesced read across the hole is refused, the split reads succeed.
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(System.Net.IPAddress.Loopback));
        var model = server.AddUnit(1);
        model.HoldingRegisters[5] = 55;
        model.HoldingRegisters[25] = 255;
        model.BeforeRead = (_, address, count) =>
        {
            if (address < 20 && address + count > 10)
            {
                throw new ModbusExceptionResponseException(ModbusFunctionCode.ReadHoldingRegisters, ModbusExceptionCode.IllegalDataAddress);
            }
        };
        await server.StartAsync(TestContext.Current.CancellationToken);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port));

        var block = Assert.Single(ModbusReadPlanner.Plan([Holding(5), Holding(25)], new ModbusReadPlannerOptions { MaxGap = 30 }));
        var error = await Assert.ThrowsAsync<ModbusExceptionResponseException>(() => block.ReadRegistersAsync(client, TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.ExceptionCode);

        var values = new List<ushort>();
        foreach (var part in ModbusReadPlanner.SplitAfterIllegalAddress(block))
        {
            var data = await part.ReadRegistersAsync(client, TestContext.Current.CancellationToken);
            values.AddRange(part.Tags.Select(t => part.Slice<ushort>(data, t)[0]));
        }

        Assert.Equal(new ushort[] { 55, 255 }, values);
    }
}
