using System.Net;
using System.Net.Sockets;

using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Server;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Devices.Modbus.Tests.Client;

// Our client against our server on 127.0.0.1 (the interop tests pit each against independent peers), and
// against scripted raw sockets for the faults a real server would not produce on demand.
public sealed class ModbusTcpClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task AllFunctions_AgainstOurServer_RoundTrip(int maxInFlight)
    {
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
        var model = server.AddUnit(1);
        model.DeviceIdentification = new Dictionary<byte, string> { [0] = "Domio", [1] = "SAW-1", [2] = "1.0" };
        model.InputRegisters.Set(10, [7, 8, 9]);
        model.DiscreteInputs[3] = true;
        await server.StartAsync(Ct);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port) { MaxInFlight = maxInFlight });
        await client.ConnectAsync(Ct);

        await client.WriteMultipleRegistersAsync(1, 100, new ushort[] { 1, 2, 3 }, Ct);
        Assert.Equal(new ushort[] { 1, 2, 3 }, await client.ReadHoldingRegistersAsync(1, 100, 3, Ct));
        await client.WriteSingleRegisterAsync(1, 101, 0xBEEF, Ct);
        await client.MaskWriteRegisterAsync(1, 102, 0x00F2, 0x0025, Ct); // (3 AND F2) OR (25 AND NOT F2) = 7
        Assert.Equal(new ushort[] { 1, 0xBEEF, 0x07 }, await client.ReadHoldingRegistersAsync(1, 100, 3, Ct));
        Assert.Equal(new ushort[] { 7, 8, 9 }, await client.ReadInputRegistersAsync(1, 10, 3, Ct));
        Assert.Equal(new ushort[] { 5, 6 }, await client.ReadWriteMultipleRegistersAsync(1, 200, 2, 200, new ushort[] { 5, 6 }, Ct));

        await client.WriteSingleCoilAsync(1, 5, true, Ct);
        await client.WriteMultipleCoilsAsync(1, 8, new[] { true, false, true }, Ct);
        Assert.Equal(new[] { false, true, false, false, true, false, true }, await client.ReadCoilsAsync(1, 4, 7, Ct));
        Assert.Equal(new[] { false, true, false }, await client.ReadDiscreteInputsAsync(1, 2, 3, Ct));

        var id = await client.ReadDeviceIdentificationAsync(1, ModbusDeviceIdCategory.Basic, Ct);
        Assert.Equal("Domio", id.VendorName);
        Assert.Equal("SAW-1", id.ProductCode);
        Assert.Equal("1.0", id.MajorMinorRevision);
    }

    [Fact]
    public async Task ReadHoldingRegisters_ManyConcurrent_EachGetsItsOwnAnswer()
    {
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
        var model = server.AddUnit(1);
        for (var i = 0; i < 1000; i++)
        {
            model.HoldingRegisters[i] = (ushort)(i * 3);
        }

        await server.StartAsync(Ct);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port) { MaxInFlight = 16 });
        Task<ushort[]>[] reads = [.. Enumerable.Range(0, 500).Select(i => client.ReadHoldingRegistersAsync(1, (ushort)i, 2, Ct).AsTask())];
        var results = await Task.WhenAll(reads);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(new[] { (ushort)(i * 3), (ushort)((i + 1) * 3) }, results[i]);
        }
    }

    [Fact]
    public async Task Read_MoreThanMaxInFlight_SendsOnlyTheWindowUntilAnAnswerFreesASlot()
    {
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port) { MaxInFlight = 2 });
        var connected = client.ConnectAsync(Ct);
        using var peer = await device.AcceptSocketAsync(Ct);
        await connected;

        // Each call sends synchronously when it gets a slot, and loopback queues the bytes at the peer before the call
        // returns: once the five calls have returned, whatever the client sent is already readable.
        Task<ushort[]>[] reads = [.. Enumerable.Range(0, 5).Select(i => client.ReadHoldingRegistersAsync(1, (ushort)i, 1, Ct).AsTask())];
        var window = await ReceiveExactlyAsync(peer, 2 * 12);
        Assert.Equal(0, peer.Available);
        Assert.Equal([0, 1], new[] { window[9], window[21] });

        await peer.SendAsync((byte[])[window[0], window[1], .. Hex.Bytes("0000 0005 01 03 02 0000")], Ct);
        Assert.Equal(new ushort[] { 0 }, await reads[0]);
        var third = await ReceiveExactlyAsync(peer, 12);
        Assert.Equal(2, third[9]);
        foreach (var request in (byte[][])[window[12..], third])
        {
            await peer.SendAsync((byte[])[request[0], request[1], .. Hex.Bytes("0000 0005 01 03 02 00"), request[9]], Ct);
        }

        var rest = await ReceiveExactlyAsync(peer, 2 * 12);
        foreach (var request in (byte[][])[rest[..12], rest[12..]])
        {
            await peer.SendAsync((byte[])[request[0], request[1], .. Hex.Bytes("0000 0005 01 03 02 00"), request[9]], Ct);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(new[] { (ushort)i }, await reads[i]);
        }
    }

    [Fact]
    public async Task Read_UnknownUnit_ThrowsGatewayTargetFailed()
    {
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
        server.AddUnit(1);
        server.AddUnit(2);
        await server.StartAsync(Ct);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port));
        var error = await Assert.ThrowsAsync<ModbusExceptionResponseException>(() => client.ReadHoldingRegistersAsync(7, 0, 1, Ct).AsTask());
        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, error.ExceptionCode);
    }

    [Fact]
    public async Task Read_PastEndOfTable_ThrowsIllegalDataAddress()
    {
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
        server.AddUnit(1, new ModbusDataModel(100));
        await server.StartAsync(Ct);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port));
        var error = await Assert.ThrowsAsync<ModbusExceptionResponseException>(() => client.ReadInputRegistersAsync(1, 99, 2, Ct).AsTask());
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.ExceptionCode);
        Assert.Equal(ModbusFunctionCode.ReadInputRegisters, error.FunctionCode);
        Assert.Single(await client.ReadInputRegistersAsync(1, 99, 1, Ct));
    }

    [Fact]
    public async Task Read_DynamicValueHook_SeesEveryRead()
    {
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
        var model = server.AddUnit(1);
        ushort pieces = 0;
        model.BeforeRead = (table, address, _) =>
        {
            if (table == ModbusTable.InputRegisters && address == 0)
            {
                model.InputRegisters[0] = ++pieces;
            }
        };
        await server.StartAsync(Ct);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port));
        Assert.Equal(1, (await client.ReadInputRegistersAsync(1, 0, 1, Ct))[0]);
        Assert.Equal(2, (await client.ReadInputRegistersAsync(1, 0, 1, Ct))[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Read_NoAnswer_ThrowsTimeoutWhenFakeTimeAdvances(int maxInFlight)
    {
        var time = new FakeTimeProvider();
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port) { ResponseTimeout = TimeSpan.FromSeconds(1), MaxInFlight = maxInFlight }, time);
        var read = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        using var silent = await device.AcceptSocketAsync(Ct);
        await ReceiveExactlyAsync(silent, 12);

        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => read);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Read_LateAnswerAfterTimeout_IsIgnoredAndNextReadSucceeds(int maxInFlight)
    {
        var time = new FakeTimeProvider();
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port) { ResponseTimeout = TimeSpan.FromSeconds(1), MaxInFlight = maxInFlight }, time);
        var first = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        using var peer = await device.AcceptSocketAsync(Ct);
        var firstRequest = await ReceiveExactlyAsync(peer, 12);
        time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => first);

        var second = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        var secondRequest = await ReceiveExactlyAsync(peer, 12);
        Assert.NotEqual(firstRequest[..2], secondRequest[..2]);
        // The late answer to the first request (value 1) arrives first, then the answer to the second (value 2).
        await peer.SendAsync((byte[])[firstRequest[0], firstRequest[1], .. Hex.Bytes("0000 0005 01 03 02 0001")], Ct);
        await peer.SendAsync((byte[])[secondRequest[0], secondRequest[1], .. Hex.Bytes("0000 0005 01 03 02 0002")], Ct);
        Assert.Equal(new ushort[] { 2 }, await second);
    }

    [Fact]
    public async Task Read_ServerClosesMidPipeline_EveryInFlightRequestFails()
    {
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port) { MaxInFlight = 4, ReadRetries = 0 });
        Task<ushort[]>[] reads = [.. Enumerable.Range(0, 4).Select(i => client.ReadHoldingRegistersAsync(1, (ushort)i, 1, Ct).AsTask())];
        using (var peer = await device.AcceptSocketAsync(Ct))
        {
            await ReceiveExactlyAsync(peer, 4 * 12);
        }

        foreach (var read in reads)
        {
            var error = await Assert.ThrowsAsync<ModbusConnectionException>(() => read);
            Assert.Contains("in flight", error.Message, StringComparison.Ordinal);
        }

        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task ServerAtItsConnectionLimit_DropsTheNewConnection_ErrorSaysItNeverAnswered()
    {
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback) { MaxConnections = 1 });
        server.AddUnit(1).HoldingRegisters[0] = 7;
        await server.StartAsync(Ct);
        await using var first = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port));
        await using var second = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port) { ReadRetries = 0 });

        Assert.Equal([7], await first.ReadHoldingRegistersAsync(1, 0, 1, Ct));
        var error = await Assert.ThrowsAsync<ModbusConnectionException>(async () => await second.ReadHoldingRegistersAsync(1, 0, 1, Ct));

        Assert.Contains("before answering anything", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection limit", error.Message, StringComparison.Ordinal);
        Assert.Equal([7], await first.ReadHoldingRegistersAsync(1, 0, 1, Ct));
    }

    [Fact]
    public async Task ServerClosesMidPipeline_ReadsRetriedOnNewConnection_WriteFailsClearly()
    {
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port) { MaxInFlight = 4, ReadRetries = 1, MinReconnectDelay = TimeSpan.Zero });
        Task<ushort[]>[] reads = [.. Enumerable.Range(0, 3).Select(i => client.ReadHoldingRegistersAsync(1, (ushort)(10 + i), 1, Ct).AsTask())];
        var write = client.WriteSingleRegisterAsync(1, 20, 5, Ct).AsTask();
        using (var first = await device.AcceptSocketAsync(Ct))
        {
            await ReceiveExactlyAsync(first, 4 * 12);
        }

        // Writes are never repeated: the device may have applied it before the connection dropped.
        var error = await Assert.ThrowsAsync<ModbusConnectionException>(() => write);
        Assert.Contains("in flight", error.Message, StringComparison.Ordinal);
        Assert.Contains("closed the connection", error.Message, StringComparison.Ordinal);

        // Every read is sent again on the next connection and answered there (by address, in any order).
        using var second = await device.AcceptSocketAsync(Ct);
        var retried = await ReceiveExactlyAsync(second, 3 * 12);
        for (var i = 0; i < 3; i++)
        {
            var request = retried[(i * 12)..((i + 1) * 12)];
            Assert.Equal(0x03, request[7]);
            await second.SendAsync((byte[])[request[0], request[1], 0, 0, 0, 5, 1, 3, 2, 0, (byte)(request[9] * 2)], Ct);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(new[] { (ushort)((10 + i) * 2) }, await reads[i]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Read_DeviceStopsAnswering_ReconnectsAfterConsecutiveTimeouts(int maxInFlight)
    {
        var time = new FakeTimeProvider();
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port)
            {
                MaxInFlight = maxInFlight,
                TimeoutsBeforeReconnect = 2,
                MinReconnectDelay = TimeSpan.Zero,
            },
            time);
        var first = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        using var hung = await device.AcceptSocketAsync(Ct);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var read = attempt == 0 ? first : client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
            await ReceiveExactlyAsync(hung, 12);
            time.Advance(TimeSpan.FromSeconds(2));
            await Assert.ThrowsAsync<ModbusTimeoutException>(() => read);
        }

        Assert.False(client.IsConnected);
        var next = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        using var fresh = await device.AcceptSocketAsync(Ct);
        var request = await ReceiveExactlyAsync(fresh, 12);
        await fresh.SendAsync((byte[])[request[0], request[1], .. Hex.Bytes("0000 0005 01 03 02 0009")], Ct);
        Assert.Equal(new ushort[] { 9 }, await next);
    }

    [Fact]
    public async Task Read_AnswerArrivesOneByteAtATime_Completes()
    {
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port) { MaxInFlight = 1 });
        var read = client.ReadHoldingRegistersAsync(0x11, 0x6B, 3, Ct).AsTask();
        using var peer = await device.AcceptSocketAsync(Ct);
        peer.NoDelay = true;
        var request = await ReceiveExactlyAsync(peer, 12);
        Assert.Equal("0000000611", Hex.Of(request.AsSpan(2, 5)));
        Assert.Equal("03006B0003", Hex.Of(request.AsSpan(7)));

        // The answer of the Application Protocol §6.3 example, one byte per send.
        byte[] answer = [request[0], request[1], .. Hex.Bytes("0000 0009 11 03 06 022B 0000 0064")];
        foreach (var b in answer)
        {
            Assert.False(read.IsCompleted);
            await peer.SendAsync(new[] { b }, Ct);
        }

        Assert.Equal(new ushort[] { 555, 0, 100 }, await read);
    }

    [Fact]
    public async Task Read_ManyAnswersInOneSend_EachMatchedToItsRequest()
    {
        // 256 answers of 125 registers (259 bytes each, 66 KB) in one send: far more than one receive holds, so
        // frames straddle receives and the client's buffer is compacted many times.
        const int Reads = 256;
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port) { MaxInFlight = Reads });
        Task<ushort[]>[] reads = [.. Enumerable.Range(0, Reads).Select(i => client.ReadHoldingRegistersAsync(1, (ushort)i, 125, Ct).AsTask())];
        using var peer = await device.AcceptSocketAsync(Ct);
        var requests = await ReceiveExactlyAsync(peer, Reads * 12);
        var answers = new List<byte>();
        for (var i = Reads - 1; i >= 0; i--)
        {
            // Answered in reverse order: matching is by transaction id. Register k of a read at address a holds a + k.
            var request = requests[(i * 12)..((i + 1) * 12)];
            var address = (request[8] << 8) | request[9];
            answers.AddRange([request[0], request[1], 0, 0, 0, 253, 1, 3, 250]);
            for (var k = 0; k < 125; k++)
            {
                answers.AddRange([(byte)((address + k) >> 8), (byte)(address + k)]);
            }
        }

        await peer.SendAsync(answers.ToArray(), Ct);
        for (var i = 0; i < Reads; i++)
        {
            Assert.Equal(Enumerable.Range(i, 125).Select(v => (ushort)v), await reads[i]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Read_ConnectionLost_ReadIsRetriedOnNewConnection(int maxInFlight)
    {
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port) { ReadRetries = 1, MinReconnectDelay = TimeSpan.Zero, MaxInFlight = maxInFlight });
        var read = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        using (var first = await device.AcceptSocketAsync(Ct))
        {
            await ReceiveExactlyAsync(first, 12);
        }

        using var second = await device.AcceptSocketAsync(Ct);
        var request = await ReceiveExactlyAsync(second, 12);
        await second.SendAsync((byte[])[request[0], request[1], .. Hex.Bytes("0000 0005 01 03 02 002A")], Ct);
        Assert.Equal(new ushort[] { 42 }, await read);
    }

    [Fact]
    public async Task Read_ResponseFromOtherUnit_ThrowsProtocolException()
    {
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port));
        var read = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        using var peer = await device.AcceptSocketAsync(Ct);
        var request = await ReceiveExactlyAsync(peer, 12);
        await peer.SendAsync((byte[])[request[0], request[1], .. Hex.Bytes("0000 0005 09 03 02 002A")], Ct);
        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => read);
        Assert.Contains("unit 9", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Read_GarbageHeader_FailsWithProtocolErrorAndDropsConnection(int maxInFlight)
    {
        using var device = new TcpListener(IPAddress.Loopback, 0);
        device.Start();
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", ((IPEndPoint)device.LocalEndpoint).Port) { ReadRetries = 0, MaxInFlight = maxInFlight });
        var read = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        using var peer = await device.AcceptSocketAsync(Ct);
        await ReceiveExactlyAsync(peer, 12);
        await peer.SendAsync(Hex.Bytes("0000 4142 4344 4546 4748"), Ct);
        var error = await Assert.ThrowsAsync<ModbusConnectionException>(() => read);
        Assert.IsType<ModbusProtocolException>(error.InnerException);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Connect_RefusedThenRetriedEarly_FailsFastDuringBackoff()
    {
        var time = new FakeTimeProvider();
        var port = DomioOps.Testing.FreePort.Next();
        await using var client = new ModbusTcpClient(
            new ModbusTcpClientOptions("127.0.0.1", port) { MinReconnectDelay = TimeSpan.FromSeconds(5) }, time);
        var refused = await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask());
        Assert.IsType<SocketException>(refused.InnerException);

        var waiting = await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask());
        Assert.Contains("next attempt", waiting.Message, StringComparison.Ordinal);

        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback, port));
        server.AddUnit(1);
        await server.StartAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Single(await client.ReadHoldingRegistersAsync(1, 0, 1, Ct));
    }

    [Fact]
    public async Task Dispose_BlockingOnTheAnsweringThread_DoesNotHang()
    {
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
        server.AddUnit(1);
        await server.StartAsync(Ct);
        var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port) { MaxInFlight = 1 });
        var disposed = Task.Run(
            async () =>
            {
                await client.ReadHoldingRegistersAsync(1, 0, new ushort[1], Ct);

                // The continuation runs on the connection's reading thread; a blocking dispose there must not wait for that thread.
                client.DisposeAsync().AsTask().GetAwaiter().GetResult();
            },
            Ct);
        await disposed.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task ReadHoldingRegisters_CountOutOfRange_ThrowsBeforeSending()
    {
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadHoldingRegistersAsync(1, 0, 126, Ct).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadHoldingRegistersAsync(1, 65535, 2, Ct).AsTask());
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), Ct);
            Assert.NotEqual(0, n);
            read += n;
        }

        return buffer;
    }
}
