namespace DomioOps.Cloud.Security;

/// <summary>Claims DomioOps adds to a principal beside Identity's own.</summary>
internal static class SecurityClaims
{
    /// <summary>How the caller proved who they are: <see cref="PasswordCredential"/>, <see cref="ApiKeyCredential"/> or <see cref="TerminalCredential"/>.</summary>
    public const string CredentialKind = "domio:credential";

    public const string PasswordCredential = "password";
    public const string ApiKeyCredential = "api-key";
    public const string TerminalCredential = "terminal";

    /// <summary>The id of the API key or terminal that authenticated the request.</summary>
    public const string CredentialId = "domio:credential-id";

    /// <summary>The machine or work centre a terminal is bound to.</summary>
    public const string WorkCentre = "domio:work-centre";

    /// <summary>A machine of the work centre a terminal is bound to (one claim per machine, as the work centre had them at sign-in).</summary>
    public const string Machine = "domio:machine";

    /// <summary>The person (user id) who identified at a terminal with badge or PIN.</summary>
    public const string OperatorId = "domio:operator-id";

    /// <summary>That person's user name.</summary>
    public const string OperatorName = "domio:operator-name";
}
