using System.Globalization;

using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>The feed inside a silo, as the live pages hear it.</summary>
public sealed class MachineChangesTests
{
    private static readonly CultureInfo Russian = CultureInfo.GetCultureInfo("ru-RU");

    [Fact]
    public async Task Publish_FromTheFeedsThreadInAnotherCulture_HandlerRunsInTheCultureItSubscribedInAndTheThreadKeepsItsOwn()
    {
        var changes = new MachineChanges();
        (CultureInfo Culture, CultureInfo UiCulture)? heard = null;
        IDisposable subscription;
        var own = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            // A page of a person reading Russian subscribes.
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (Russian, Russian);
            subscription = changes.Subscribe(null, _ => heard = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = own;
        }

        using (subscription)
        {
            var after = await Task.Run(() =>
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (CultureInfo.InvariantCulture, CultureInfo.InvariantCulture);
                changes.Publish(new EdgeSnapshot("plant-1/edge-1", true, 0, 0, 0, 0, null));
                return (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            }, TestContext.Current.CancellationToken);

            Assert.Equal((Russian, Russian), heard);
            Assert.Equal((CultureInfo.InvariantCulture, CultureInfo.InvariantCulture), after);
        }
    }
}
