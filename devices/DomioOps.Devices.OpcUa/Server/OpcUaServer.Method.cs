using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Method service set (OPC 10000-4 §5.11): Call.</summary>
public sealed partial class OpcUaServer
{
    /// <summary>Call (OPC 10000-4 §5.11.2): the handlers run in the background, so the response is sent later and this returns null.</summary>
    private IServiceResponse? Call(ServerConnection connection, ServerSession session, uint requestId, CallRequest call, DateTime now)
    {
        CheckCount(call.MethodsToCall.Count, Options.MaxNodesPerMethodCall);
        _ = CallAsync(connection, session, requestId, call, ResponseHeader.For(call.RequestHeader, now));
        return null;
    }

    /// <summary>Call (OPC 10000-4 §5.11.2): each method is checked, then its handler runs; the response goes out when all are done.</summary>
    private async Task CallAsync(ServerConnection connection, ServerSession session, uint requestId, CallRequest call, ResponseHeader ok)
    {
        List<CallMethodResult> results = new(call.MethodsToCall.Count);
        foreach (var request in call.MethodsToCall)
        {
            (var method, var failure) = AddressSpace.CheckCall(request);
            if (method is null)
            {
                results.Add(failure!);
                continue;
            }

            try
            {
                var outputs = await method.Handler!(new MethodCall(request.ObjectId, request.MethodId, request.InputArguments) { UserName = session.UserName, Session = session }, _stopping.Token).ConfigureAwait(false);
                results.Add(new CallMethodResult(StatusCode.Good, [], outputs));
            }
            catch (OpcUaException ex)
            {
                results.Add(new CallMethodResult(ex.StatusCode, [], []));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failing handler answers BadInternalError for its call only; the session and the other calls go on.
                results.Add(new CallMethodResult(StatusCode.BadInternalError, [], []));
            }
        }

        connection.SendResponseInBackground(requestId, new CallResponse(ok with { Timestamp = Time.GetUtcNow().UtcDateTime }, results));
    }
}
