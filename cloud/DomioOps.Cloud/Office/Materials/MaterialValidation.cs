using static DomioOps.Cloud.Office.DraftText;

namespace DomioOps.Cloud.Office.Materials;

/// <summary>Checks materials and quantities as typed, naming each wrong field (<c>thickness</c>, <c>lines[1].quantity</c>).</summary>
internal static class MaterialValidation
{
    public static Material? Check(MaterialDraft draft, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(errors);
        MaterialKind? kind = draft.Kind?.Trim().ToLowerInvariant() switch
        {
            "sheet" => MaterialKind.Sheet,
            "edge" => MaterialKind.Edge,
            "hardware" => MaterialKind.Hardware,
            _ => null,
        };
        if (kind is null)
        {
            errors["kind"] = [$"kind is 'sheet', 'edge' or 'hardware'; got '{draft.Kind}'."];
        }

        var name = Text(draft.Name, "name", Material.MaxNameLength, errors, required: true);
        var article = Text(draft.Article, "article", Material.MaxArticleLength, errors, required: false);
        MaterialUnit? unit = draft.Unit?.Trim().ToLowerInvariant() switch
        {
            null or "" => kind switch
            {
                MaterialKind.Sheet => MaterialUnit.SquareMetre,
                MaterialKind.Edge => MaterialUnit.Metre,
                _ => MaterialUnit.Piece,
            },
            "m2" or "м2" or "m²" or "м²" => MaterialUnit.SquareMetre,
            "m" or "м" => MaterialUnit.Metre,
            "pcs" or "шт" => MaterialUnit.Piece,
            _ => null,
        };
        if (unit is null)
        {
            errors["unit"] = [$"unit is 'm2', 'm' or 'pcs'; got '{draft.Unit}'."];
        }
        else if ((kind == MaterialKind.Sheet && unit != MaterialUnit.SquareMetre) || (kind == MaterialKind.Edge && unit != MaterialUnit.Metre))
        {
            errors["unit"] = ["unit of a sheet material is m2 and of an edge band m: reservations of cut lists are counted in them."];
        }

        Size(draft.Thickness, "thickness", 100, errors, required: kind == MaterialKind.Sheet);
        Size(draft.SheetLength, "sheetLength", 10_000, errors, required: false);
        Size(draft.SheetWidth, "sheetWidth", 10_000, errors, required: false);
        Size(draft.TapeWidth, "tapeWidth", 200, errors, required: false);
        if (draft.WasteFactor is < 1m or > 5m)
        {
            errors["wasteFactor"] = [$"wasteFactor is 1 (no waste) to 5, e.g. 1.15 for 15% offcuts; got {draft.WasteFactor}."];
        }

        if (kind != MaterialKind.Sheet && (draft.SheetLength is not null || draft.SheetWidth is not null || draft.WasteFactor is not null))
        {
            errors[draft.WasteFactor is not null ? "wasteFactor" : "sheetLength"] = ["Only a sheet material has a sheet size and a waste factor."];
        }

        if (kind is not null and not MaterialKind.Sheet && draft.Thickness is not null)
        {
            errors["thickness"] = ["Only a sheet material has a thickness here (an edge band's is part of its name, as cut lists write it)."];
        }

        if (kind != MaterialKind.Edge && draft.TapeWidth is not null)
        {
            errors["tapeWidth"] = ["Only an edge band has a tape width."];
        }

        return errors.Count == 0
            ? new(0, kind!.Value, name!, article, unit!.Value, draft.Thickness, draft.SheetLength, draft.SheetWidth,
                draft.WasteFactor ?? 1m, draft.TapeWidth)
            : null;
    }

    /// <summary>A quantity of stock: positive (or zero when <paramref name="zero"/>), below <see cref="MaterialStock.MaxQuantity"/>, at most 3 decimals.</summary>
    public static void Quantity(decimal? value, string field, Dictionary<string, string[]> errors, bool required, bool zero)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value is null)
        {
            if (required)
            {
                errors[field] = [$"{field} is required."];
            }
        }
        else if (value < 0 || (!zero && value == 0))
        {
            errors[field] = [$"{field} must be {(zero ? "0 or more" : "more than 0")}; got {value}."];
        }
        else if (value >= MaterialStock.MaxQuantity || MaterialNeeds.Round(value.Value) != value)
        {
            errors[field] = [$"{field} is below {MaterialStock.MaxQuantity} with at most 3 decimals; got {value}."];
        }
    }

    /// <summary>The names of the fields a new material has (for the audit).</summary>
    public static string[] Filled(MaterialDraft d) =>
    [
        .. new (string Name, bool Filled)[]
        {
            ("name", true), ("article", !string.IsNullOrWhiteSpace(d.Article)), ("thickness", d.Thickness is not null), ("sheetLength", d.SheetLength is not null),
            ("sheetWidth", d.SheetWidth is not null), ("wasteFactor", d.WasteFactor is not null), ("tapeWidth", d.TapeWidth is not null),
        }.Where(p => p.Filled).Select(p => p.Name),
    ];

    private static void Size(decimal? value, string field, decimal max, Dictionary<string, string[]> errors, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                errors[field] = [$"{field} is required (millimetres): a cut list names a sheet by name and thickness."];
            }
        }
        else if (value <= 0 || value > max || Math.Round(value.Value, 2) != value)
        {
            errors[field] = [$"{field} is more than 0 and at most {max} mm, with at most 2 decimals; got {value}."];
        }
    }
}
