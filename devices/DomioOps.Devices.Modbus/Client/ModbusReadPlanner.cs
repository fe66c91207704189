using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>
/// Coalesces tag addresses into as few read requests as possible: same unit and table, within the
/// per-request maximum (125 registers, 2000 bits) and at most <see cref="ModbusReadPlannerOptions.MaxGap"/>
/// unused addresses between neighbours. Overlapping tags share a request.
/// </summary>
public static class ModbusReadPlanner
{
    public static IReadOnlyList<ModbusReadBlock> Plan(IEnumerable<ModbusTagAddress> tags, ModbusReadPlannerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tags);
        options ??= new ModbusReadPlannerOptions();
        options.Validate();
        var blocks = new List<ModbusReadBlock>();
        foreach (var group in tags.GroupBy(t => (t.UnitId, t.Table)).OrderBy(g => g.Key.UnitId).ThenBy(g => g.Key.Table))
        {
            var max = group.Key.Table is ModbusTable.Coils or ModbusTable.DiscreteInputs ? options.MaxBits : options.MaxRegisters;
            var members = new List<ModbusTagAddress>();
            var start = -1;
            var end = -1; // exclusive
            foreach (var tag in group.OrderBy(t => t.Address).ThenBy(t => t.Count))
            {
                tag.Validate(max);
                var tagEnd = tag.Address + tag.Count;
                var fits = start >= 0 && tag.Address - end <= options.MaxGap && Math.Max(end, tagEnd) - start <= max;
                if (!fits)
                {
                    if (start >= 0)
                    {
                        blocks.Add(new ModbusReadBlock(group.Key.UnitId, group.Key.Table, (ushort)start, (ushort)(end - start), members));
                    }

                    members = [];
                    start = tag.Address;
                    end = tagEnd;
                }

                end = Math.Max(end, tagEnd);
                members.Add(tag);
            }

            if (start >= 0)
            {
                blocks.Add(new ModbusReadBlock(group.Key.UnitId, group.Key.Table, (ushort)start, (ushort)(end - start), members));
            }
        }

        return blocks;
    }

    /// <summary>
    /// Splits a block the device refused with "illegal data address" (its gaps may hold unmapped addresses):
    /// first into gap-free runs of tags, then, if already gap-free, into one block per tag. A single tag cannot
    /// be split: the result is empty and the tag itself is wrong.
    /// </summary>
    public static IReadOnlyList<ModbusReadBlock> SplitAfterIllegalAddress(ModbusReadBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var runs = Plan(block.Tags, new ModbusReadPlannerOptions { MaxGap = 0 });
        if (runs.Count > 1)
        {
            return runs;
        }

        if (block.Tags.Count <= 1)
        {
            return [];
        }

        return [.. block.Tags.Select(t => new ModbusReadBlock(t.UnitId, t.Table, t.Address, t.Count, [t]))];
    }
}
