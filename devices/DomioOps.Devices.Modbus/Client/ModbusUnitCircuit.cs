namespace DomioOps.Devices.Modbus.Client;

/// <summary>Consecutive failures of one unit; opens after a threshold, lets one trial through after the open period.</summary>
internal sealed class ModbusUnitCircuit
{
    private int _failures;
    private long _openUntil;
    private bool _open;

    public ModbusCircuitState State(long now) => !_open ? ModbusCircuitState.Closed : now < _openUntil ? ModbusCircuitState.Open : ModbusCircuitState.HalfOpen;

    public void ThrowIfOpen(byte unitId, long now, TimeProvider time)
    {
        if (_open && now < _openUntil)
        {
            throw new ModbusCircuitOpenException(
                $"Unit {unitId} failed {_failures} times in a row; requests are refused for another {time.GetElapsedTime(now, _openUntil).TotalMilliseconds:F0} ms.");
        }
    }

    public void Succeeded()
    {
        _failures = 0;
        _open = false;
    }

    /// <summary>Counts a failure; true when it opened the circuit (or reopened it after a failed trial).</summary>
    public bool Failed(long now, int threshold, long openTicks)
    {
        _failures++;
        if (_open || _failures >= threshold)
        {
            var opened = !_open || now >= _openUntil;
            _open = true;
            _openUntil = now + openTicks;
            return opened;
        }

        return false;
    }
}
