using System.Globalization;

using CsvHelper;

using MiniExcelLibs;

namespace DomioOps.Cloud.Components;

/// <summary>A table a user takes elsewhere: the header row, then rows of values (text, numbers, dates, nulls).</summary>
internal sealed record SpreadsheetTable(IReadOnlyList<string> Headers, IReadOnlyList<object?[]> Rows);

/// <summary>Lists exported as CSV and XLSX, the same way on every page and API (orders, operations, OEE).</summary>
internal static class SpreadsheetExport
{
    /// <summary>
    /// Russian Excel reads <c>;</c>-separated UTF-8 with a byte order mark; others read <c>,</c>. Text that a spreadsheet
    /// would run as a formula is escaped.
    /// </summary>
    public static async Task WriteCsvAsync(Stream output, CultureInfo culture, SpreadsheetTable table, CancellationToken ct)
    {
        var russian = culture.TwoLetterISOLanguageName == "ru";
        var options = new CsvWriterOptions
        {
            Separator = russian ? ';' : ',',
            WriteByteOrderMark = russian,
            FormatProvider = culture,
            Injection = CsvInjection.Escape,
        };
        // Written in memory, then copied out asynchronously: the response refuses synchronous writes.
        using var buffer = new MemoryStream();
        await using (var csv = CsvWriter.Create(buffer, options, leaveOpen: true))
        {
            foreach (var header in table.Headers)
            {
                csv.WriteField(header);
            }

            await csv.EndRecordAsync(ct);
            foreach (var row in table.Rows)
            {
                foreach (var value in row)
                {
                    csv.WriteField(value switch
                    {
                        null => "",
                        DateTime date => date.ToString(date.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                        IFormattable number => number.ToString(null, culture),
                        _ => value.ToString() ?? "",
                    });
                }

                await csv.EndRecordAsync(ct);
            }

            await csv.FlushAsync(ct);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(output, ct);
    }

    public static async Task WriteXlsxAsync(Stream output, SpreadsheetTable table, string sheet, CancellationToken ct)
    {
        var rows = table.Rows.Select(row =>
        {
            var record = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < table.Headers.Count; i++)
            {
                record[table.Headers[i]] = row[i];
            }

            return record;
        }).ToList();
        // The workbook is a zip written whole: made in memory, then copied out asynchronously.
        using var buffer = new MemoryStream();
        await MiniExcel.SaveAsAsync(buffer, rows, sheetName: SheetName(sheet), excelType: ExcelType.XLSX, cancellationToken: ct);
        buffer.Position = 0;
        await buffer.CopyToAsync(output, ct);
    }

    private static string SheetName(string name)
    {
        var clean = new string([.. name.Where(c => c is not ('[' or ']' or ':' or '*' or '?' or '/' or '\\'))]);
        return clean.Length == 0 ? "Sheet1" : clean[..Math.Min(31, clean.Length)];
    }
}
