using DomioOps.Cloud.Maintenance.Prediction;

namespace DomioOps.Cloud.Maintenance.Ai4i;

/// <summary>
/// The model's inputs for an AI4I row: the measured values and the physics behind the failure mechanisms the data set
/// describes (heat dissipation depends on the temperature difference and the speed, power on torque × angular speed,
/// overstrain on tool wear × torque, with limits that differ by quality variant). Never the failure-mode flags
/// TWF/HDF/PWF/OSF/RNF: any of them set means a failure, so a model that saw them would read the answer.
/// </summary>
public static class Ai4iFeatures
{
    public static FeatureSchema Schema { get; } = new(
    [
        new FeatureDefinition("type_l", "quality variant L (low)", "0/1"),
        new FeatureDefinition("type_m", "quality variant M (medium)", "0/1"),
        new FeatureDefinition("type_h", "quality variant H (high)", "0/1"),
        new FeatureDefinition("air_temperature", "air temperature", "K"),
        new FeatureDefinition("process_temperature", "process temperature", "K"),
        new FeatureDefinition("rotational_speed", "rotational speed", "rpm"),
        new FeatureDefinition("torque", "torque", "Nm"),
        new FeatureDefinition("tool_wear", "tool wear", "min"),
        new FeatureDefinition("temperature_difference", "process minus air temperature (heat dissipation)", "K"),
        new FeatureDefinition("power", "mechanical power, torque × angular speed", "W"),
        new FeatureDefinition("overstrain", "tool wear × torque (overstrain)", "min·Nm"),
    ]);

    public static float[] Of(Ai4iRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var angularSpeed = record.RotationalSpeedRpm * 2 * Math.PI / 60;
        return
        [
            record.Type == 'L' ? 1 : 0,
            record.Type == 'M' ? 1 : 0,
            record.Type == 'H' ? 1 : 0,
            (float)record.AirTemperatureK,
            (float)record.ProcessTemperatureK,
            (float)record.RotationalSpeedRpm,
            (float)record.TorqueNm,
            (float)record.ToolWearMin,
            (float)(record.ProcessTemperatureK - record.AirTemperatureK),
            (float)(record.TorqueNm * angularSpeed),
            (float)(record.ToolWearMin * record.TorqueNm),
        ];
    }
}
