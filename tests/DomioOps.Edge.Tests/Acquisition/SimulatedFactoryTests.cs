using DomioOps.Edge.Acquisition;
using DomioOps.Edge.Configuration;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>
/// The edge's acquisition, configured from JSON as the edge reads it, against the simulators run as a process: a CNC router
/// on OPC UA (a WwMachineType instance, auto-mapped without tags), an edgebander sending its ASCII status line on one
/// pseudo-terminal, and an edgebander and an energy meter as two Modbus RTU units on another.
/// </summary>
public sealed class SimulatedFactoryTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly AcquisitionFixture _fixture = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("domioops-factory-").FullName;

    public void Dispose()
    {
        _fixture.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Acquisition_SimulatedFactory_EveryMachineReachesTheQueueWithItsSignals()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var asciiLine = await SocatPtyPair.StartAsync(ct);
        await using var rtuLine = await SocatPtyPair.StartAsync(ct);
        var cncPort = FreePort.Next();
        var scenario = Path.Combine(_folder, "factory.json");
        File.WriteAllText(scenario, $$"""
            {
              "seed": 3, "acceleration": 600, "start": "2026-01-05T10:00:00Z",
              "machines": [
                { "id": "cnc-01", "kind": "cnc-router", "protocol": "opc-ua", "port": {{cncPort}} },
                { "id": "eb-01", "kind": "edgebander", "protocol": "ascii-line", "serialPort": "{{asciiLine.PathA}}", "baudRate": 19200, "linePeriod": "00:00:00.200" },
                { "id": "eb-02", "kind": "edgebander", "protocol": "modbus-rtu", "serialPort": "{{rtuLine.PathA}}", "baudRate": 19200, "unitId": 1 },
                { "id": "meter-eb-02", "kind": "energy-meter", "protocol": "modbus-rtu", "serialPort": "{{rtuLine.PathA}}", "baudRate": 19200, "unitId": 2, "measures": "eb-02" }
              ]
            }
            """);
        await using var simulators = await HostProcess.StartAsync("simulators/DomioOps.Simulators", new Dictionary<string, string> { ["Simulators__Scenario"] = scenario }, ct);

        var (configuration, options) = EdgeConfiguration($$"""
            { "Edge": { "Site": "plant-1", "Id": "edge-1", "DataDirectory": "{{_folder}}", "Devices": {
              "OpcUa": [ { "Machine": "cnc-01", "EndpointUrl": "opc.tcp://127.0.0.1:{{cncPort}}", "AutoMap": true, "PublishingInterval": "00:00:00.100", "Tags": [
                  { "Signal": "Vibration", "NodeId": "nsu=urn:domioops:simulators;s=cnc-01/Spindle/Vibration" },
                  { "Signal": "SpindleTemperature", "NodeId": "nsu=urn:domioops:simulators;s=cnc-01/Spindle/Temperature" },
                  { "Signal": "Alarm", "NodeId": "nsu=urn:domioops:simulators;s=cnc-01/AlarmCode" } ] } ],
              "Line": [ { "Machine": "eb-01", "SerialPort": "{{asciiLine.PathB}}", "BaudRate": 19200, "Checksum": "Nmea", "Fields": [
                  { "Signal": "MachineState", "Key": "ST", "Values": { "OFFLINE": 0, "STANDBY": 1, "READY": 2, "WORKING": 3, "ERROR": 4 } },
                  { "Signal": "MachineMode", "Key": "MD", "Values": { "OTHER": 0, "AUTOMATIC": 1, "SEMIAUTOMATIC": 2, "MANUAL": 3, "SETUP": 4, "SLEEP": 5 } },
                  { "Signal": "PieceCounter", "Key": "PCS" }, { "Signal": "PiecesIn", "Key": "IN" },
                  { "Signal": "GlueTemperature", "Key": "GLUE", "Deadband": 0.5 }, { "Signal": "FeedSpeed", "Key": "FEED" },
                  { "Signal": "TrimmingUnit", "Key": "TRIM", "Values": { "OFF": 0, "READY": 1, "WORKING": 2, "FAULT": 3 } },
                  { "Signal": "Alarm", "Key": "ALM" }, { "Signal": "CycleTime", "Key": "CT" } ] } ],
              "ModbusSerial": [ { "SerialPort": "{{rtuLine.PathB}}", "BaudRate": 19200, "Parity": "None", "Units": [
                  { "Machine": "eb-02", "UnitId": 1, "PollInterval": "00:00:00.200", "Tags": [
                      { "Signal": "MachineState", "Register": 0 }, { "Signal": "MachineMode", "Register": 1 },
                      { "Signal": "PieceCounter", "Register": 4, "Type": "UInt32" }, { "Signal": "GlueTemperature", "Register": 6, "Scale": 0.1 },
                      { "Signal": "FeedSpeed", "Register": 8, "Scale": 0.1 }, { "Signal": "TrimmingUnit", "Register": 9 } ] },
                  { "Machine": "meter-eb-02", "UnitId": 2, "PollInterval": "00:00:00.200", "Tags": [
                      { "Signal": "Voltage", "Table": "InputRegisters", "Register": 0, "Type": "Float32" },
                      { "Signal": "Power", "Table": "InputRegisters", "Register": 4, "Type": "Float32" } ] } ] } ] } } }
            """);
        using var devices = new DeviceConfiguration(configuration, options, new EdgeOptionsValidation(configuration), EdgeTestMetrics.Create(TimeProvider.System), NullLogger<DeviceConfiguration>.Instance);
        using var acquisition = new DeviceAcquisition(devices, options, _fixture.Context(TimeProvider.System), NullLogger<DeviceAcquisition>.Instance);
        await acquisition.StartAsync(ct);
        try
        {
            (string Machine, Signal[] Signals)[] expected =
            [
                // The woodworking model's signals, and the vendor variables the tags add (the alarm is the code, not the flag).
                ("cnc-01", [Signal.MachineState, Signal.MachineMode, Signal.Alarm, Signal.Warning, Signal.Emergency, Signal.MaintenanceRequired, Signal.PiecesIn, Signal.PieceCounter, Signal.RunsGood, Signal.RunsAborted, Signal.FeedSpeed, Signal.Vibration, Signal.SpindleTemperature]),
                ("eb-01", [Signal.MachineState, Signal.MachineMode, Signal.PieceCounter, Signal.PiecesIn, Signal.GlueTemperature, Signal.FeedSpeed, Signal.TrimmingUnit, Signal.Alarm, Signal.CycleTime]),
                ("eb-02", [Signal.MachineState, Signal.MachineMode, Signal.PieceCounter, Signal.GlueTemperature, Signal.FeedSpeed, Signal.TrimmingUnit]),
                ("meter-eb-02", [Signal.Voltage, Signal.Power]),
            ];
            bool Complete(IReadOnlyList<Sample> samples) =>
                expected.All(m => m.Signals.All(signal => samples.Any(s => s.Machine == m.Machine && s.Signal == signal)));
            var samples = await _fixture.WaitForSamplesAsync(Complete, Patience, "every signal of every machine");

            Assert.Equal(["cnc-01", "eb-01", "eb-02", "meter-eb-02"], samples.Select(s => s.Machine).Distinct().Order(StringComparer.Ordinal));
            Assert.All(samples.Where(s => s.Signal == Signal.MachineState), s => Assert.InRange(s.Number, 0, 4));
            Assert.All(samples.Where(s => s.Signal == Signal.Voltage), s => Assert.InRange(s.Number, 200, 260));
            foreach (var machine in new[] { "cnc-01", "eb-01", "eb-02", "meter-eb-02" })
            {
                await _fixture.WaitForHealthAsync(machine, DeviceHealth.Connected, Patience);
            }
        }
        finally
        {
            await acquisition.StopAsync(CancellationToken.None);
        }

        Assert.False(simulators.HasExited, simulators.Output);
    }

    private (IConfiguration Configuration, IOptions<EdgeOptions> Options) EdgeConfiguration(string json)
    {
        var path = Path.Combine(_folder, "edge.json");
        File.WriteAllText(path, json);
        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();
        var options = EdgeSection.Read(configuration);
        var validation = new EdgeOptionsValidation(configuration).Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return (configuration, Options.Create(options));
    }
}
