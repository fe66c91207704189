using DomioOps.Models.Wire;

namespace DomioOps.Edge.Signals;

/// <summary>How a raw device value becomes a canonical signal and when it is reported; every protocol's tag has these.</summary>
public abstract class TagOptions
{
    public Signal Signal { get; set; }

    /// <summary>Engineering value = raw × Scale + Offset.</summary>
    public double Scale { get; set; } = 1;

    public double Offset { get; set; }

    /// <summary>A change smaller than this (in engineering units) is not reported; 0 reports every change.</summary>
    public double Deadband { get; set; }

    public TagReport Report { get; set; } = TagReport.OnChange;

    /// <summary>With <see cref="TagReport.OnChange"/>: a sample is reported at least this often when nothing changes.</summary>
    public TimeSpan MaxSilence { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>With <see cref="TagReport.Period"/>: the latest value is reported this often, changed or not.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>When a tag's value is reported.</summary>
public enum TagReport
{
    /// <summary>On every change beyond the deadband, and after <see cref="TagOptions.MaxSilence"/> without one.</summary>
    OnChange,

    /// <summary>Every <see cref="TagOptions.Period"/>, whatever the value.</summary>
    Period,
}
