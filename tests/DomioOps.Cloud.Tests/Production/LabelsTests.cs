using System.Net;
using System.Text.RegularExpressions;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>The printable labels page as a planner gets it: one label a piece (or a part), each with its QR code's payload.</summary>
public sealed partial class LabelsTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>
{
    [Fact]
    public async Task Labels_OrderOfTwoParts_OneLabelPerPieceWithQrPayloadAndText()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("LABELS-1", ProductionCloud.Panel("Side panel", 4, edge: "ABS 2x22", program: "SIDE-1"), ProductionCloud.Panel("Shelf", 2));
        using var planner = await ImportApiTests.PlannerAsync(cloud, ct);

        var html = WebUtility.HtmlDecode(await planner.GetStringAsync(new Uri($"production/orders/{order.Id}/labels", UriKind.Relative), ct));

        var side = order.Parts[0];
        var shelf = order.Parts[1];
        Assert.Equal(6, LabelTag().Count(html));
        var sidePayload = $"domio:part:{side.Id};order:LABELS-1;op:{side.Operations[0].Id}";
        Assert.Equal(4, Regex.Count(html, Regex.Escape($"data-qr=\"{sidePayload}\"")));
        Assert.Equal(2, Regex.Count(html, Regex.Escape($"data-qr=\"domio:part:{shelf.Id};order:LABELS-1;op:{shelf.Operations[0].Id}\"")));
        Assert.Matches($"<symbol id=\"qr-{side.Id}\" viewBox=\"0 0 \\d+ \\d+\"><path d=\"M", html);
        Assert.Contains($"<use href=\"#qr-{side.Id}\"", html, StringComparison.Ordinal);
        foreach (var piece in new[] { "1/4", "2/4", "3/4", "4/4", "1/2", "2/2" })
        {
            Assert.Contains($"<span class=\"label-piece\">{piece}</span>", html, StringComparison.Ordinal);
        }

        Assert.Contains("720 × 560 × 18 mm", html, StringComparison.Ordinal);
        Assert.Contains("Egger W1000 ST9", html, StringComparison.Ordinal);
        Assert.Contains("Test kitchens", html, StringComparison.Ordinal);
        Assert.Contains("L1: ABS 2x22", html, StringComparison.Ordinal);
        Assert.Contains("Next: Panel saw", html, StringComparison.Ordinal);
        Assert.Contains("labels labels-a4", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_PerPartOnLabelPrinter_OneLabelPerPart()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("LABELS-2", ProductionCloud.Panel("Side panel", 4), ProductionCloud.Panel("Shelf", 2));
        using var planner = await ImportApiTests.PlannerAsync(cloud, ct);

        var html = WebUtility.HtmlDecode(await planner.GetStringAsync(new Uri($"production/orders/{order.Id}/labels?format=label&per=part", UriKind.Relative), ct));

        Assert.Equal(2, LabelTag().Count(html));
        Assert.Contains("labels labels-printer", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"label-piece\">× 4</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_FiveThousandPieces_AllRender()
    {
        var ct = TestContext.Current.CancellationToken;
        var order = await cloud.CreateOrderAsync("LABELS-5000", ProductionCloud.Panel("Back", 5000));
        using var planner = await ImportApiTests.PlannerAsync(cloud, ct);

        var html = await planner.GetStringAsync(new Uri($"production/orders/{order.Id}/labels", UriKind.Relative), ct);

        Assert.Equal(5000, LabelTag().Count(html));
        Assert.Contains("5000/5000", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_NoSuchOrder_404()
    {
        var ct = TestContext.Current.CancellationToken;
        using var planner = await ImportApiTests.PlannerAsync(cloud, ct);
        using var response = await planner.GetAsync(new Uri("production/orders/987654321/labels", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [GeneratedRegex("<article class=\"part-label\"")]
    private static partial Regex LabelTag();
}
