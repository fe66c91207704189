using System.Net;
using System.Net.Sockets;

using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Server;

namespace DomioOps.Devices.Modbus.Tests.Server;

/// <summary>The TCP server's fault hook: each request asks it, with the request's unit id, how to misbehave.</summary>
public sealed class ModbusServerFaultTests
{
    private static readonly byte[] ReadTwoRegisters = [0x00, 0x07, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x02];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fault_Exception_AnswersWithThatCode()
    {
        await using var server = await StartAsync(new ModbusServerFault(ModbusServerFaultKind.Exception, ExceptionCode: ModbusExceptionCode.ServerDeviceBusy));
        using var socket = await ConnectAsync(server);

        await socket.SendAsync(ReadTwoRegisters, Ct);
        var answer = await ReceiveAsync(socket, 9);

        // MBAP (transaction 7, protocol 0, length 3, unit 1) then 0x83 0x06.
        Assert.Equal(new byte[] { 0x00, 0x07, 0x00, 0x00, 0x00, 0x03, 0x01, 0x83, 0x06 }, answer);
    }

    [Fact]
    public async Task Fault_Garbage_AnswersAsManyBytesAsTheRealAnswer()
    {
        await using var server = await StartAsync(new ModbusServerFault(ModbusServerFaultKind.Garbage));
        using var socket = await ConnectAsync(server);

        await socket.SendAsync(ReadTwoRegisters, Ct);

        Assert.Equal(13, (await ReceiveAsync(socket, 13)).Length);
    }

    [Fact]
    public async Task Fault_Disconnect_ClosesTheConnection()
    {
        await using var server = await StartAsync(new ModbusServerFault(ModbusServerFaultKind.Disconnect));
        using var socket = await ConnectAsync(server);

        await socket.SendAsync(ReadTwoRegisters, Ct);

        Assert.Equal(0, await socket.ReceiveAsync(new byte[16], Ct));
    }

    [Fact]
    public async Task Fault_NoAnswerThenNone_OnlyTheSecondRequestIsAnswered()
    {
        var requests = 0;
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback))
        {
            Fault = _ => Interlocked.Increment(ref requests) == 1 ? new ModbusServerFault(ModbusServerFaultKind.NoAnswer) : ModbusServerFault.None,
        };
        server.AddUnit(1).SetHoldingRegisters(0, [0x1234, 0x5678]);
        await server.StartAsync(Ct);
        using var socket = await ConnectAsync(server);

        await socket.SendAsync(ReadTwoRegisters, Ct);
        byte[] second = [.. ReadTwoRegisters];
        second[1] = 0x08;
        await socket.SendAsync(second, Ct);

        Assert.Equal(new byte[] { 0x00, 0x08, 0x00, 0x00, 0x00, 0x07, 0x01, 0x03, 0x04, 0x12, 0x34, 0x56, 0x78 }, await ReceiveAsync(socket, 13));
    }

    private static async Task<ModbusTcpServer> StartAsync(ModbusServerFault fault)
    {
        var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback)) { Fault = unit => unit == 1 ? fault : ModbusServerFault.None };
        server.AddUnit(1);
        await server.StartAsync(Ct);
        return server;
    }

    private static async Task<Socket> ConnectAsync(ModbusTcpServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint, Ct);
        return socket;
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        for (var read = 0; read < length;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), Ct);
            Assert.NotEqual(0, n);
            read += n;
        }

        return buffer;
    }
}
