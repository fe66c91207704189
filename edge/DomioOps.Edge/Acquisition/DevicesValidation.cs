using System.IO.Ports;
using System.Text.RegularExpressions;

using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Edge.Signals;
using DomioOps.Models;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// Checks <see cref="DevicesOptions"/>: keys relative to the <c>Edge</c> section go to <c>check</c>, which records
/// the failure with the file that set the key. Machine ids are unique across all protocols.
/// </summary>
internal sealed class DevicesValidation(DevicesOptions devices, Func<bool, string, string, bool> check)
{
    private static readonly string SignalNames = string.Join(", ", Enum.GetNames<Signal>().Skip(1));
    private readonly HashSet<string> _machines = new(StringComparer.Ordinal);
    private readonly HashSet<string> _serialPorts = new(StringComparer.Ordinal);

    public void Validate()
    {
        for (var d = 0; d < devices.ModbusTcp.Count; d++)
        {
            var device = devices.ModbusTcp[d];
            var at = $"Devices:ModbusTcp:{d}";
            Machine(device.Machine, at);
            check(!string.IsNullOrWhiteSpace(device.Host), $"{at}:Host", "set it to the device's host name or address");
            check(device.Port is > 0 and < 65536, $"{at}:Port", "must be a TCP port, 1-65535");
            check(device.UnitId <= 247, $"{at}:UnitId", "must be 0-247 (1 for most devices; 255 is reserved)");
            Poll(device.PollInterval, device.ResponseTimeout, at);
            RegisterTags(device.Tags, at);
        }

        for (var b = 0; b < devices.ModbusSerial.Count; b++)
        {
            var bus = devices.ModbusSerial[b];
            var at = $"Devices:ModbusSerial:{b}";
            SerialLine(bus, at, required: true);
            check(bus.ResponseTimeout > TimeSpan.Zero, $"{at}:ResponseTimeout", "must be a positive time span, e.g. \"00:00:00.500\"");
            check(bus.FailuresBeforeOpen >= 1, $"{at}:FailuresBeforeOpen", "must be at least 1");
            check(bus.OpenDuration >= TimeSpan.Zero, $"{at}:OpenDuration", "must not be negative");
            check(bus.Units.Count > 0, $"{at}:Units", "list at least one unit (Machine, UnitId, Tags)");
            var units = new HashSet<byte>();
            for (var s = 0; s < bus.Units.Count; s++)
            {
                var unit = bus.Units[s];
                var unitAt = $"{at}:Units:{s}";
                Machine(unit.Machine, unitAt);
                check(unit.UnitId is >= 1 and <= 247, $"{unitAt}:UnitId", "must be 1-247 (Modbus over Serial Line §2.2; 0 is broadcast)");
                check(units.Add(unit.UnitId), $"{unitAt}:UnitId", $"unit {unit.UnitId} is already used by another unit on this port");
                Poll(unit.PollInterval, unit.ResponseTimeout ?? bus.ResponseTimeout, unitAt);
                RegisterTags(unit.Tags, unitAt);
            }
        }

        for (var d = 0; d < devices.OpcUa.Count; d++)
        {
            var device = devices.OpcUa[d];
            var at = $"Devices:OpcUa:{d}";
            if (device.Tags.Count > 0 || !device.AutoMap)
            {
                Machine(device.Machine, at);
            }

            check(
                Uri.TryCreate(device.EndpointUrl, UriKind.Absolute, out var endpoint) && endpoint.Scheme == "opc.tcp" && endpoint.Port > 0,
                $"{at}:EndpointUrl",
                "set it to the server's endpoint, e.g. \"opc.tcp://192.168.10.5:4840\"");
            check(device.SecurityPolicy is "None" or "Basic256Sha256", $"{at}:SecurityPolicy", "must be None or Basic256Sha256");
            check(device.PublishingInterval >= TimeSpan.FromMilliseconds(10), $"{at}:PublishingInterval", "must be at least 00:00:00.010");
            check(device.SamplingInterval >= TimeSpan.Zero, $"{at}:SamplingInterval", "must not be negative (0 asks for the fastest the server offers)");
            check(device.QueueSize >= 1, $"{at}:QueueSize", "must be at least 1");
            check(device.AutoMap || device.Tags.Count > 0, $"{at}:Tags", "list at least one tag (Signal, NodeId), or set AutoMap to true for woodworking machines");
            foreach (var (found, machine) in device.MachineIds)
            {
                check(EdgeTopics.IsValidId(machine), $"{at}:MachineIds:{found}", "must be a machine id (1-64 of A-Z a-z 0-9 - _ .)");
            }

            for (var t = 0; t < device.Tags.Count; t++)
            {
                var tag = device.Tags[t];
                var tagAt = $"{at}:Tags:{t}";
                Tag(tag, tagAt);
                check(ConfiguredNodeId.IsValid(tag.NodeId), $"{tagAt}:NodeId", "must be a NodeId such as \"ns=2;s=Spindle.Load\", \"ns=3;i=1001\" or \"nsu=http://vendor.com/UA/;s=Spindle.Load\"");
                check(tag.SamplingInterval is null || tag.SamplingInterval >= TimeSpan.Zero, $"{tagAt}:SamplingInterval", "must not be negative");
                check(tag.QueueSize is null or >= 1, $"{tagAt}:QueueSize", "must be at least 1");
                check(Enum.IsDefined(tag.DeadbandType), $"{tagAt}:DeadbandType", "must be None, Absolute or Percent");
                check(tag.DeadbandType != DeadbandType.Percent || tag.DeadbandValue is > 0 and <= 100, $"{tagAt}:DeadbandValue", "with DeadbandType Percent: the percentage of the EURange, more than 0 and at most 100");
            }
        }

        for (var d = 0; d < devices.Line.Count; d++)
        {
            var device = devices.Line[d];
            var at = $"Devices:Line:{d}";
            Machine(device.Machine, at);
            var tcp = device.Host is not null;
            check(tcp != (device.SerialPort is not null), $"{at}:Host", "set either Host and Port (TCP) or SerialPort, not both and not neither");
            if (tcp)
            {
                check(device.Port is > 0 and < 65536, $"{at}:Port", "must be a TCP port, 1-65535");
            }
            else
            {
                SerialLine(device, at, required: false);
            }

            check(device.RequestInterval >= TimeSpan.FromMilliseconds(10), $"{at}:RequestInterval", "must be at least 00:00:00.010");
            check(device.SilenceTimeout > TimeSpan.Zero, $"{at}:SilenceTimeout", "must be a positive time span, e.g. \"00:00:10\"");
            check(device.MaxLineLength is >= 16 and <= 65536, $"{at}:MaxLineLength", "must be 16-65536");
            check(device.Fields.Count > 0, $"{at}:Fields", "list at least one field (Signal and Key, or Signal and Pattern)");
            for (var f = 0; f < device.Fields.Count; f++)
            {
                var field = device.Fields[f];
                var fieldAt = $"{at}:Fields:{f}";
                Tag(field, fieldAt);
                if (check((field.Key is null) != (field.Pattern is null), $"{fieldAt}:Key", "set either Key (a key=value pair) or Pattern (a regular expression), not both") && field.Pattern is not null)
                {
                    Pattern(field, fieldAt);
                }
            }
        }
    }

    private void Machine(string machine, string at)
    {
        if (check(EdgeTopics.IsValidId(machine), $"{at}:Machine", "set it to the machine's id (1-64 of A-Z a-z 0-9 - _ .)"))
        {
            check(_machines.Add(machine), $"{at}:Machine", $"'{machine}' is already used by another device; machine ids must be unique");
        }
    }

    private void Poll(TimeSpan pollInterval, TimeSpan responseTimeout, string at)
    {
        check(pollInterval >= TimeSpan.FromMilliseconds(10), $"{at}:PollInterval", "must be at least 00:00:00.010");
        check(responseTimeout > TimeSpan.Zero, $"{at}:ResponseTimeout", "must be a positive time span, e.g. \"00:00:00.500\"");
    }

    private void SerialLine(SerialLineOptions line, string at, bool required)
    {
        if (check(!string.IsNullOrWhiteSpace(line.SerialPort) || !required, $"{at}:SerialPort", "set it to the serial port, e.g. \"/dev/ttyUSB0\" or \"COM3\"") && line.SerialPort is not null)
        {
            check(_serialPorts.Add(line.SerialPort), $"{at}:SerialPort", $"'{line.SerialPort}' is already used by another device: put every unit of one port under one ModbusSerial entry");
        }

        check(line.BaudRate is >= 300 and <= 4_000_000, $"{at}:BaudRate", "must be 300-4000000, e.g. 9600 or 19200");
        check(line.DataBits is 7 or 8, $"{at}:DataBits", "must be 7 or 8");
        check(Enum.IsDefined(line.Parity), $"{at}:Parity", "must be None, Odd, Even, Mark or Space");
        check(line.StopBits is StopBits.One or StopBits.OnePointFive or StopBits.Two, $"{at}:StopBits", "must be One, OnePointFive or Two");
    }

    private void Tag(TagOptions tag, string at)
    {
        check(tag.Signal != Signal.Unspecified && Enum.IsDefined(tag.Signal), $"{at}:Signal", $"name a signal: {SignalNames}");
        check(tag.Scale != 0 && double.IsFinite(tag.Scale), $"{at}:Scale", "must be a finite number other than 0");
        check(double.IsFinite(tag.Offset), $"{at}:Offset", "must be a finite number");
        check(tag.Deadband >= 0 && double.IsFinite(tag.Deadband), $"{at}:Deadband", "must be 0 (every change) or a positive number in engineering units");
        check(Enum.IsDefined(tag.Report), $"{at}:Report", "must be OnChange or Period");
        check(tag.MaxSilence > TimeSpan.Zero, $"{at}:MaxSilence", "must be a positive time span, e.g. \"00:00:30\"");
        check(tag.Period >= TimeSpan.FromMilliseconds(10), $"{at}:Period", "must be at least 00:00:00.010");
    }

    private void RegisterTags(List<RegisterTagOptions> tags, string at)
    {
        check(tags.Count > 0, $"{at}:Tags", "list at least one tag (Signal, Register, Type)");
        for (var t = 0; t < tags.Count; t++)
        {
            var tag = tags[t];
            var tagAt = $"{at}:Tags:{t}";
            Tag(tag, tagAt);
            check(Enum.IsDefined(tag.Table), $"{tagAt}:Table", "must be HoldingRegisters, InputRegisters, Coils or DiscreteInputs");
            check(
                tag.Type != ModbusDataType.String && Enum.IsDefined(tag.Type),
                $"{tagAt}:Type",
                "a signal is a number: use Bit, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32 or Float64");
            check(
                tag.Table is ModbusTable.HoldingRegisters or ModbusTable.InputRegisters || tag.Type == ModbusDataType.Bit,
                $"{tagAt}:Type",
                $"{tag.Table} hold bits: set Type to Bit");
            check(Enum.IsDefined(tag.ByteOrder), $"{tagAt}:ByteOrder", "must be ABCD, CDAB, BADC or DCBA");
            check(tag.Bit is >= 0 and <= 15, $"{tagAt}:Bit", "must be 0-15");
            check(tag.Type == ModbusDataType.String || !Enum.IsDefined(tag.Type) || tag.Register + ModbusRegisters.Count(tag.Type) <= 65536, $"{tagAt}:Register", "the value runs past register 65535");
        }
    }

    private void Pattern(LineFieldOptions field, string at)
    {
        Regex regex;
        try
        {
            regex = new Regex(field.Pattern!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            check(false, $"{at}:Pattern", $"is not a valid regular expression: {e.Message}");
            return;
        }

        var groups = regex.GetGroupNames();
        check(
            field.Group is null ? groups.Length > 1 : groups.Contains(field.Group, StringComparer.Ordinal),
            $"{at}:Group",
            field.Group is null
                ? "the pattern has no group: put the value in parentheses, e.g. \"T=(\\d+)\", or name it with Group"
                : $"the pattern has no group '{field.Group}'; its groups are {string.Join(", ", groups)}");
    }
}
