using System.Globalization;

using DomioOps.Cloud.Office.Materials;

using Microsoft.AspNetCore.Components;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>A page of materials and purchasing: the stock and purchase orders services, quantities in the person's culture, each wrong field's message in their language.</summary>
public abstract class MaterialsPage : OfficePage
{
    [Inject]
    private protected MaterialStock Stock { get; set; } = default!;

    [Inject]
    private protected PurchaseOrders Purchases { get; set; } = default!;

    /// <summary>A quantity as the person writes it: up to 3 decimals, their decimal separator.</summary>
    private protected static string Amount(decimal value) => value.ToString("0.###", CultureInfo.CurrentCulture);

    /// <summary>The message for wrong field <paramref name="field"/> of form <paramref name="target"/> (<c>lines[0].quantity</c> shares <c>quantity</c>'s), or null.</summary>
    private protected string? FieldError(string target, string field) =>
        ErrorTarget == target && Errors.ContainsKey(field) ? Localizer[$"Materials.Error.{field[(field.LastIndexOf('.') + 1)..]}"].Value : null;

    /// <summary>A number typed in the person's culture (or with a point), or null when empty or not a number.</summary>
    private protected static decimal? Parse(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : decimal.TryParse(text.Trim().Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : null;
}
