using System.Collections.Concurrent;

namespace DomioOps.Devices.Modbus.Server;

/// <summary>The data model served for each unit id by one server.</summary>
internal sealed class ModbusUnits
{
    private readonly ConcurrentDictionary<byte, ModbusDataModel> _units = new();

    public ModbusDataModel Add(byte unitId, ModbusDataModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!_units.TryAdd(unitId, model))
        {
            throw new ArgumentException($"Unit {unitId} is already served.", nameof(unitId));
        }

        return model;
    }

    public bool Remove(byte unitId) => _units.TryRemove(unitId, out _);

    public ModbusDataModel? Find(byte unitId) => _units.GetValueOrDefault(unitId);

    /// <summary>
    /// Over TCP a lone device is addressed as 0xFF or 0 (Messaging on TCP/IP Implementation Guide v1.0b, §4.4.1.2):
    /// with a single unit configured, those ids reach it.
    /// </summary>
    public ModbusDataModel? FindForTcp(byte unitId)
    {
        if (_units.TryGetValue(unitId, out var model))
        {
            return model;
        }

        if (unitId is 0 or 0xFF && _units.Count == 1)
        {
            foreach (var only in _units.Values)
            {
                return only;
            }
        }

        return null;
    }
}
