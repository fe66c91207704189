using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Discovery service set (OPC 10000-4 §5.4): the endpoints the server describes to its clients.</summary>
public sealed partial class OpcUaServer
{
    private const string TransportProfile = "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary";

    /// <summary>GetEndpoints (OPC 10000-4 §5.4.4): the endpoints this server offers, one per security policy and mode.</summary>
    private GetEndpointsResponse GetEndpoints(GetEndpointsRequest request, DateTime now) =>
        new(ResponseHeader.For(request.RequestHeader, now), Endpoints());

    internal IReadOnlyList<EndpointDescription> Endpoints()
    {
        ApplicationDescription server = new(Options.ApplicationUri, Options.ProductUri, new LocalizedText(Options.ApplicationName), ApplicationType.Server, DiscoveryUrls: [EndpointUrl]);
        List<EndpointDescription> endpoints = [];
        foreach ((var policyUri, var mode) in Options.Endpoints)
        {
            List<UserTokenPolicy> policies = [];
            if (Options.AllowAnonymous)
            {
                policies.Add(new UserTokenPolicy("anonymous", UserTokenType.Anonymous));
            }

            if (Options.Users.Count > 0)
            {
                // On a secured channel the password is encrypted with the channel's policy (an empty SecurityPolicyUri says so).
                policies.Add(new UserTokenPolicy("username", UserTokenType.UserName, SecurityPolicyUri: mode == MessageSecurityMode.None ? SecurityPolicy.NoneUri : null));
            }

            byte level = mode switch { MessageSecurityMode.SignAndEncrypt => 3, MessageSecurityMode.Sign => 2, _ => 0 };
            endpoints.Add(new EndpointDescription(EndpointUrl, server, Certificate?.RawData ?? ReadOnlyMemory<byte>.Empty, mode, policyUri, policies, TransportProfile, level));
        }

        return endpoints;
    }
}
