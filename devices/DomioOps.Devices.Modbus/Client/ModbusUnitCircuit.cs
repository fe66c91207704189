namespace DomioOps.Devices.Modbus.Client;

/// <summary>Consecutive failures of one unit; opens after a threshold, lets one trial through after the open period.</summary>
internal sealed class ModbusUnitCircuit
{
    private int failures;
    private long openUntil;
    private bool open;

    public ModbusCircuitState State(long now) => !open ? ModbusCircuitState.Closed : now < openUntil ? ModbusCircuitState.Open : ModbusCircuitState.HalfOpen;

    public void ThrowIfOpen(byte unitId, long now, TimeProvider time)
    {
        if (open && now < openUntil)
        {
            throw new ModbusCircuitOpenException(
                $"Unit {unitId} failed {failures} times in a row; requests are refused for another {time.GetElapsedTime(now, openUntil).TotalMilliseconds:F0} ms.");
        }
    }

    public void Succeeded()
    {
        failures = 0;
        open = false;
    }

    /// <summary>Counts a failure; true when it opened the circuit (or reopened it after a failed trial).</summary>
    public bool Failed(long now, int threshold, long openTicks)
    {
        failures++;
        if (open || failures >= threshold)
        {
            bool opened = !open || now >= openUntil;
            open = true;
            openUntil = now + openTicks;
            return opened;
        }

        return false;
    }
}
