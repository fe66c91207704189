using System.Globalization;

using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace DomioOps.Cloud.Office.Quotes;

/// <summary>
/// A quote as an A4 PDF in Russian or English: the customer and project, one row per line (as many pages as the lines
/// need, the header repeated), then the lines' sum, the quote's discount, VAT and the total. The font is embedded
/// (<see cref="QuoteFonts"/>), so Cyrillic reads the same on any machine.
/// </summary>
internal static class QuotePdf
{
    public static readonly IReadOnlyList<string> Languages = ["ru", "en"];

    private const double Margin = 40;
    private const double RowHeight = 15;

    private static readonly Dictionary<string, Dictionary<string, string>> Words = new(StringComparer.Ordinal)
    {
        ["ru"] = new(StringComparer.Ordinal)
        {
            ["title"] = "Коммерческое предложение № {0}, редакция {1}",
            ["date"] = "Дата",
            ["customer"] = "Заказчик",
            ["project"] = "Проект",
            ["address"] = "Адрес",
            ["no"] = "№",
            ["item"] = "Наименование",
            ["qty"] = "Кол-во",
            ["unit"] = "Ед.",
            ["price"] = "Цена, ₽",
            ["disc"] = "Скидка, %",
            ["amount"] = "Сумма, ₽",
            ["subtotal"] = "Итого по позициям",
            ["discount"] = "Скидка {0} %",
            ["vat"] = "НДС {0} %",
            ["total"] = "Всего к оплате",
            ["page"] = "Стр. {0}",
            ["m2"] = "м²",
            ["m"] = "м",
            ["h"] = "ч",
            ["pcs"] = "шт",
        },
        ["en"] = new(StringComparer.Ordinal)
        {
            ["title"] = "Quote No. {0}, revision {1}",
            ["date"] = "Date",
            ["customer"] = "Customer",
            ["project"] = "Project",
            ["address"] = "Address",
            ["no"] = "#",
            ["item"] = "Item",
            ["qty"] = "Qty",
            ["unit"] = "Unit",
            ["price"] = "Price, RUB",
            ["disc"] = "Disc., %",
            ["amount"] = "Amount, RUB",
            ["subtotal"] = "Lines total",
            ["discount"] = "Discount {0} %",
            ["vat"] = "VAT {0} %",
            ["total"] = "Total due",
            ["page"] = "Page {0}",
            ["m2"] = "m²",
            ["m"] = "m",
            ["h"] = "h",
            ["pcs"] = "pcs",
        },
    };

    /// <summary>The PDF of <paramref name="revision"/> of <paramref name="quote"/> in <paramref name="language"/> (<c>ru</c> or <c>en</c>).</summary>
    public static byte[] Render(Quote quote, QuoteRevision revision, string? projectAddress, string language, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(quote);
        ArgumentNullException.ThrowIfNull(revision);
        QuoteFonts.Register();
        var words = Words[language];
        var culture = CultureInfo.GetCultureInfo(language == "ru" ? "ru-RU" : "en-GB");
        using var document = new PdfDocument();
        document.Info.Title = string.Format(culture, words["title"], quote.Id, revision.Revision);
        var regular = new XFont(QuoteFonts.Family, 9, XFontStyleEx.Regular);
        var bold = new XFont(QuoteFonts.Family, 9, XFontStyleEx.Bold);
        var heading = new XFont(QuoteFonts.Family, 14, XFontStyleEx.Bold);
        // Columns: number, item, quantity, unit, price, discount, amount (right edges for the numbers).
        double[] left = [Margin, Margin + 22, 0, 0, 0, 0, 0];
        double[] right = [0, 0, 345, 375, 445, 490, 555];

        XGraphics? gfx = null;
        var page = 0;
        double y = 0;
        void NewPage()
        {
            gfx?.Dispose();
            var pdfPage = document.AddPage();
            pdfPage.Size = PdfSharp.PageSize.A4;
            gfx = XGraphics.FromPdfPage(pdfPage);
            page++;
            y = Margin;
            if (page == 1)
            {
                gfx.DrawString(document.Info.Title, heading, XBrushes.Black, new XPoint(Margin, y + 14));
                y += 28;
                var when = TimeZoneInfo.ConvertTime(revision.SentAt ?? revision.CreatedAt, zone).ToString("d", culture);
                foreach (var (key, value) in new[] { ("date", when), ("customer", quote.CustomerName), ("project", quote.ProjectTitle), ("address", projectAddress) })
                {
                    if (value is not null)
                    {
                        gfx.DrawString($"{words[key]}: {value}", regular, XBrushes.Black, new XPoint(Margin, y + 10));
                        y += RowHeight;
                    }
                }

                y += 8;
            }

            gfx.DrawString(string.Format(culture, words["page"], page), regular, XBrushes.Gray, new XPoint(Margin, 842 - 20));
            Row(gfx, bold, [words["no"], words["item"], words["qty"], words["unit"], words["price"], words["disc"], words["amount"]]);
            gfx.DrawLine(XPens.Black, Margin, y, 555, y);
        }

        void Row(XGraphics g, XFont font, string[] cells)
        {
            for (var i = 0; i < cells.Length; i++)
            {
                if (right[i] > 0)
                {
                    g.DrawString(cells[i], font, XBrushes.Black, new XRect(right[i] - 80, y, 80, RowHeight), XStringFormats.CenterRight);
                }
                else
                {
                    g.DrawString(Fit(g, cells[i], font, i == 1 ? 250 : 20), font, XBrushes.Black, new XRect(left[i], y, 260, RowHeight), XStringFormats.CenterLeft);
                }
            }

            y += RowHeight;
        }

        NewPage();
        for (var i = 0; i < revision.Lines.Count; i++)
        {
            if (y + RowHeight > 842 - Margin - 20)
            {
                NewPage();
            }

            var line = revision.Lines[i];
            Row(gfx!, regular,
            [
                (i + 1).ToString(culture), line.Description, line.Quantity.ToString("0.###", culture), words.GetValueOrDefault(line.Unit, line.Unit),
                line.UnitPrice.ToString("N2", culture), line.DiscountPercent.ToString("0.##", culture), line.Amount.ToString("N2", culture),
            ]);
        }

        if (y + (RowHeight * 5) > 842 - Margin - 20)
        {
            NewPage();
        }

        gfx!.DrawLine(XPens.Black, Margin, y, 555, y);
        y += 4;
        var totals = revision.Totals;
        foreach (var (label, amount, font) in new[]
        {
            (words["subtotal"], totals.Subtotal, regular),
            (string.Format(culture, words["discount"], revision.DiscountPercent.ToString("0.##", culture)), -totals.Discount, regular),
            (string.Format(culture, words["vat"], revision.VatPercent.ToString("0.##", culture)), totals.Vat, regular),
            (words["total"], totals.Total, bold),
        })
        {
            gfx.DrawString(label, font, XBrushes.Black, new XRect(300, y, 175, RowHeight), XStringFormats.CenterRight);
            gfx.DrawString(amount.ToString("N2", culture), font, XBrushes.Black, new XRect(475, y, 80, RowHeight), XStringFormats.CenterRight);
            y += RowHeight;
        }

        gfx.Dispose();
        using var output = new MemoryStream();
        document.Save(output, false);
        return output.ToArray();
    }

    /// <summary>The text cut (with an ellipsis) to <paramref name="width"/> points.</summary>
    private static string Fit(XGraphics gfx, string text, XFont font, double width)
    {
        if (gfx.MeasureString(text, font).Width <= width)
        {
            return text;
        }

        var cut = text;
        while (cut.Length > 1 && gfx.MeasureString(cut + "…", font).Width > width)
        {
            cut = cut[..^1];
        }

        return cut + "…";
    }
}
