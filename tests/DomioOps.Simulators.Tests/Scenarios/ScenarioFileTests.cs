using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Tests.Scenarios;

public sealed class ScenarioFileTests
{
    [Fact]
    public void Parse_UnknownKey_NamesFileKeyAndFix()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("""{ "machines": [ { "id": "saw-01", "kind": "panel-saw", "prot": 5020 } ] }""", "f.json"));

        Assert.StartsWith("f.json: key $.machines[0].prot:", e.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKind_NamesKey()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("""{ "machines": [ { "id": "x", "kind": "laser" } ] }""", "f.json"));

        Assert.StartsWith("f.json: key $.machines[0].kind:", e.Message, StringComparison.Ordinal);
        Assert.Contains("kebab-case", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ProtocolTheKindDoesNotSpeak_ListsTheOnesItDoes()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("""{ "machines": [ { "id": "cnc-01", "kind": "cnc-router", "protocol": "modbus-rtu", "serialPort": "/dev/null" } ] }""", "f.json"));

        Assert.Equal("f.json: key $.machines[0].protocol: a cnc-router does not speak modbus-rtu. Fix: use one of opc-ua.", e.Message);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEachOnItsOwnLine()
    {
        const string json = """
            {
              "acceleration": 0,
              "machines": [
                { "id": "saw-01", "kind": "panel-saw", "port": 5020 },
                { "id": "saw-01", "kind": "panel-saw", "port": 5020 },
                { "id": "eb-01", "kind": "edgebander" },
                { "id": "m-1", "kind": "energy-meter", "measures": "nothing" }
              ]
            }
            """;

        var lines = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(json, "f.json")).Message.Split(Environment.NewLine);

        Assert.Contains(lines, l => l.StartsWith("f.json: key $.acceleration:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("f.json: key $.machines[1].id: 'saw-01' is used by another machine.", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("f.json: key $.machines[1].unitId: unit 1 on port 5020 is taken", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("f.json: key $.machines[2].serialPort: modbus-rtu needs a serial device.", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("f.json: key $.machines[3].measures: no machine 'nothing'", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains(" Fix: ", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_FailureKindOfAnotherMachine_IsRefused()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("""{ "machines": [ { "id": "saw-01", "kind": "panel-saw", "failures": { "glue-heater": { "meanTimeToOnset": "1.00:00:00", "progression": "01:00:00", "repair": "00:30:00" } } } ] }""", "f.json"));

        Assert.Equal("f.json: key $.machines[0].failures['glue-heater']: a panel-saw has no failure kind 'glue-heater'. Fix: use blade-dulling.", e.Message);
    }

    [Fact]
    public void Parse_Fleet_ExpandsToConsecutivePortsAndUnitIds()
    {
        const string json = """
            {
              "fleet": [
                { "kind": "panel-saw", "count": 3, "idPrefix": "saw-", "firstPort": 20000 },
                { "kind": "energy-meter", "protocol": "modbus-rtu", "count": 2, "idPrefix": "meter-", "serialPort": "/tmp/line", "firstUnitId": 10 }
              ]
            }
            """;

        var scenario = ScenarioFile.Parse(json, "f.json");

        Assert.Equal(["saw-001", "saw-002", "saw-003", "meter-001", "meter-002"], scenario.Machines.Select(m => m.Id));
        Assert.Equal([20000, 20001, 20002], scenario.Machines.Take(3).Select(m => m.Port));
        Assert.Equal([(byte)10, (byte)11], scenario.Machines.Skip(3).Select(m => m.UnitId));
        Assert.All(scenario.Machines.Skip(3), m => Assert.Equal(MachineProtocol.ModbusRtu, m.Protocol));
    }

    [Fact]
    public void Parse_FleetSharingAPort_CountsUnitIdsUpOnThatPort()
    {
        var scenario = ScenarioFile.Parse("""{ "fleet": [ { "kind": "panel-saw", "count": 3, "idPrefix": "saw-", "firstPort": 20000, "sharePort": true, "firstUnitId": 5 }, { "kind": "cnc-router", "count": 2, "idPrefix": "cnc-", "firstPort": 20001, "sharePort": true } ] }""", "f.json");

        Assert.Equal([20000, 20000, 20000, 20001, 20001], scenario.Machines.Select(m => m.Port));
        Assert.Equal([(byte)5, (byte)6, (byte)7], scenario.Machines.Take(3).Select(m => m.UnitId));
    }

    [Fact]
    public void Parse_OpcUaAndModbusOnOnePort_IsRefused()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("""{ "machines": [ { "id": "cnc-01", "kind": "cnc-router", "port": 4840 }, { "id": "saw-01", "kind": "panel-saw", "port": 4840 } ] }""", "f.json"));

        Assert.StartsWith("f.json: key $.machines[1].port: port 4840 is taken by opc-ua cnc-01.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoPartTypes_TakesTheDefaultsAndProtocolsByKind()
    {
        var scenario = ScenarioFile.Parse("""{ "machines": [ { "id": "cnc-01", "kind": "cnc-router" }, { "id": "eb-01", "kind": "edgebander", "serialPort": "/tmp/eb" } ] }""", "f.json");

        Assert.Equal(["back-panel", "carcass-side", "door", "shelf"], scenario.PartTypes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(MachineProtocol.OpcUa, scenario.Machines[0].Protocol);
        Assert.Equal(MachineProtocol.ModbusRtu, scenario.Machines[1].Protocol);
    }

    [Theory]
    [InlineData("factory.json")]
    [InlineData("factory-compose.json")]
    public void Load_FactoryOfDomioRunAndCompose_IsValid(string file)
    {
        var scenario = ScenarioFile.Load(Path.Combine(AppContext.BaseDirectory, "scenarios", file));

        Assert.Equal(["cnc-01", "saw-01", "eb-01", "meter-eb-01", "meter-cnc-01"], scenario.Machines.Select(m => m.Id));
        Assert.Equal(3, scenario.Shifts.Count);
    }
}
