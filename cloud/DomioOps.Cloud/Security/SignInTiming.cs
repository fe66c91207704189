using System.Security.Cryptography;

using Microsoft.AspNetCore.Identity;

namespace DomioOps.Cloud.Security;

/// <summary>
/// A sign-in with an unknown user name runs the password hasher too, against a hash of a random password made once, so
/// that the answer takes as long as for a known name with a wrong password and the response time does not tell which
/// names exist.
/// </summary>
internal static class SignInTiming
{
    private static readonly IdentityUser Nobody = new("nobody");

    // Identity's own format and work factor, the same as a stored password's.
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<IdentityUser>().HashPassword(Nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(18))));

    public static void VerifyUnknownUser(IPasswordHasher<IdentityUser> hasher, string? password) => hasher.VerifyHashedPassword(Nobody, DummyHash.Value, password ?? "");
}
