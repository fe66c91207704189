namespace DomioOps.Cloud.Security;

/// <summary>The last authenticator time step accepted for a person (<see cref="TotpTokenProvider"/>): a code of that step or an earlier one is refused.</summary>
internal sealed class TotpStep
{
    public string UserId { get; set; } = "";

    public long LastStep { get; set; }
}
