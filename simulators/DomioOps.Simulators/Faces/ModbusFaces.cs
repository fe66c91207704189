using System.Net;

using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Server;
using DomioOps.Devices.Modbus.Transport;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Faces;

/// <summary>
/// The Modbus servers of the factory: one TCP server per port (machines sharing a port are its unit ids),
/// one RTU server per serial line (machines on it are its units). Each request asks the addressed
/// machine's current fault.
/// </summary>
internal sealed class ModbusFaces(IPAddress address) : IAsyncDisposable
{
    /// <summary>Twice the unit ids one port can address (1–247): every unit's connection, and as many again left by a restarted edge.</summary>
    private const int SharedPortConnections = 2 * 247;

    private readonly Dictionary<int, (ModbusTcpServer Server, Dictionary<byte, Func<MachineFault>> Faults)> _tcp = [];
    private readonly Dictionary<string, (ModbusSerialServer Server, Dictionary<byte, Func<MachineFault>> Faults)> _serial = new(StringComparer.Ordinal);
    private readonly List<ModbusTcpServer> _ownPort = [];

    /// <summary>Serves <paramref name="spec"/>'s registers; returns its data model and where it is reached.</summary>
    public async Task<(ModbusDataModel Model, string Endpoint, int Port)> AddAsync(MachineSpec spec, Func<MachineFault> fault, CancellationToken cancellationToken)
    {
        var model = new ModbusDataModel(coils: 1, discreteInputs: 1, holdingRegisters: 64, inputRegisters: 64);
        if (spec.Protocol == MachineProtocol.ModbusRtu)
        {
            if (!_serial.TryGetValue(spec.SerialPort!, out var line))
            {
                var port = new ModbusSerialPortOptions(spec.SerialPort!, spec.BaudRate) { Parity = spec.Parity };
                var server = new ModbusSerialServer(port, new ModbusSerialServerOptions { Framing = ModbusSerialFraming.Rtu });
                line = (server, []);
                var faults = line.Faults;
                server.Fault = unit => ToModbus(faults.TryGetValue(unit, out var f) ? f() : MachineFault.None);
                await server.StartAsync(cancellationToken);
                _serial[spec.SerialPort!] = line;
            }

            line.Faults[spec.UnitId] = fault;
            line.Server.AddUnit(spec.UnitId, model);
            return (model, $"modbus-rtu {spec.SerialPort} {spec.BaudRate} {spec.Parity} unit {spec.UnitId}", 0);
        }

        ModbusTcpServer tcpServer;
        Dictionary<byte, Func<MachineFault>> unitFaults;
        if (spec.Port != 0 && _tcp.TryGetValue(spec.Port, out var shared))
        {
            (tcpServer, unitFaults) = shared;
        }
        else
        {
            // A port of its own serves one machine; a shared one is a fleet behind one gateway, which an edge may read
            // with a connection per unit (and then reconnect each after a restart): never refuse one of those.
            tcpServer = new ModbusTcpServer(new ModbusTcpServerOptions(address, spec.Port) { MaxConnections = spec.Port == 0 ? 32 : SharedPortConnections });
            unitFaults = [];
            var faults = unitFaults;
            tcpServer.Fault = unit => ToModbus(faults.TryGetValue(unit, out var f) ? f() : faults.Count == 1 ? faults.Values.First()() : MachineFault.None);
            await tcpServer.StartAsync(cancellationToken);
            if (spec.Port != 0)
            {
                _tcp[spec.Port] = (tcpServer, unitFaults);
            }
            else
            {
                _ownPort.Add(tcpServer);
            }
        }

        unitFaults[spec.UnitId] = fault;
        tcpServer.AddUnit(spec.UnitId, model);
        return (model, $"modbus-tcp {address}:{tcpServer.Port} unit {spec.UnitId}", tcpServer.Port);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _tcp.Values.Select(t => t.Server).Concat(_ownPort))
        {
            await server.DisposeAsync();
        }

        foreach (var (server, _) in _serial.Values)
        {
            await server.DisposeAsync();
        }
    }

    private static ModbusServerFault ToModbus(MachineFault fault) => fault.Kind switch
    {
        FaultKind.Drop => new ModbusServerFault(ModbusServerFaultKind.Disconnect),
        FaultKind.Silent => new ModbusServerFault(ModbusServerFaultKind.NoAnswer),
        FaultKind.Exception => new ModbusServerFault(ModbusServerFaultKind.Exception, ExceptionCode: (ModbusExceptionCode)fault.ExceptionCode),
        FaultKind.Garbage => new ModbusServerFault(ModbusServerFaultKind.Garbage),
        FaultKind.Slow => new ModbusServerFault(ModbusServerFaultKind.None, fault.Delay),
        _ => default,
    };
}
