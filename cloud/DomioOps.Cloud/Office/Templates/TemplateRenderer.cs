using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;

using Fluid;
using Fluid.Values;

namespace DomioOps.Cloud.Office.Templates;

/// <summary>
/// Parses, checks and renders document templates with Fluid (Liquid). Values are HTML-encoded on output, so a customer
/// named <c>&lt;script&gt;</c> prints as text; the template's own markup is the administrator's. A template is checked by
/// parsing it (a syntax error names its line and column) and rendering it against the kind's sample model, where every
/// field is filled: each variable or member the model does not have is reported (<c>customer.nmae</c>), as is an unknown
/// filter. A field read only in a branch the sample does not take is not seen by that check (see README.md).
/// </summary>
internal sealed class TemplateRenderer
{
    /// <summary>The largest template text taken.</summary>
    public const int MaxTemplateLength = 100_000;

    private static readonly FluidParser Parser = new();

    /// <summary>Encodes markup (&lt; &gt; &amp; quotes) but writes Cyrillic as itself: entities would bloat the file and hide its words from search.</summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>The template names of the model's parts, to name an unknown member with its parent (<c>customer.nmae</c>).</summary>
    private static readonly Dictionary<Type, string> Parts = new()
    {
        [typeof(TemplateView)] = "",
        [typeof(CompanyOptions)] = "company",
        [typeof(CustomerDetails)] = "customer",
        [typeof(ProjectDetails)] = "project",
        [typeof(DocumentLine)] = "line",
        [typeof(DocumentTotals)] = "totals",
    };

    /// <summary>Our company with every field filled, so a field left empty in configuration is not taken for an unknown one.</summary>
    private static readonly CompanyOptions SampleCompany = new()
    {
        Name = "DomioOps",
        LegalName = "ООО «Домио»",
        TaxId = "7707083893",
        Address = "Москва",
        Phone = "+7 495 000-00-00",
        Email = "office@domio.example",
        BankDetails = "р/с 40702810000000000001",
    };

    private readonly TemplateOptions _options = new TemplateOptionsBuilder()
        .WithModelNamesComparer(StringComparers.CamelCase)
        .WithStrictFilters()
        .WithMaxSteps(200_000)
        .WithMaxOutputSize(5_000_000)
        .WithMaxRecursion(20)
        .AddFilter("money", Money)
        .Build();

    /// <summary>The problem with a template (its line, or the fields it names that the model lacks), or null when it renders.</summary>
    public async Task<string?> CheckAsync(string kind, string text)
    {
        if (text.Length > MaxTemplateLength)
        {
            return $"text is at most {MaxTemplateLength} characters.";
        }

        IFluidTemplate template;
        try
        {
            template = Parser.Parse(text);
        }
        catch (ParseException e)
        {
            var what = e.Message.Split('\n', 2)[0].Trim();
            return e.Position is { } at
                ? string.Create(CultureInfo.InvariantCulture, $"Syntax error on line {at.Line}, column {at.Column}: {what}")
                : $"Syntax error: {what}";
        }

        var unknown = new List<string>();
        try
        {
            await RenderAsync(template, View(kind, TemplateKinds.Sample(kind), SampleCompany, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, unknown);
        }
        catch (FluidException e)
        {
            return $"The template does not render: {e.Message}";
        }
        catch (InvalidOperationException e)
        {
            return $"The template does not render: {e.Message}";
        }

        return unknown.Count == 0 ? null
            : $"Unknown field{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Distinct(StringComparer.Ordinal))}: "
              + "a template reads company, customer, project, number, date, lines (each line: name, quantity, unit, price, discount, amount), "
              + "totals (net, vatRate, vat, total), notes and kind.";
    }

    /// <summary>Renders a template that passed <see cref="CheckAsync"/>; unknown values render empty.</summary>
    public async Task<string> RenderAsync(string kind, string text, DocumentModel model, CompanyOptions company, CultureInfo culture) =>
        await RenderAsync(Parser.Parse(text), View(kind, model, company, culture), culture, null);

    private async Task<string> RenderAsync(IFluidTemplate template, TemplateView view, CultureInfo culture, List<string>? unknown)
    {
        var context = new TemplateContext(view, _options) { CultureInfo = culture };
        context.Undefined = (name, parent) =>
        {
            unknown?.Add(parent is not null && Parts.TryGetValue(parent, out var part) && part.Length > 0 ? $"{part}.{name}" : name);
            return ValueTask.FromResult<FluidValue>(NilValue.Instance);
        };
        return await template.RenderAsync(context, Encoder);
    }

    private static TemplateView View(string kind, DocumentModel model, CompanyOptions company, CultureInfo culture) =>
        new(company, model.Customer, model.Project, model.Number, model.Date.ToString("d", culture), model.Lines, model.Totals, model.Notes, kind);

    /// <summary><c>{{ x | money }}</c>: a number with two decimals and the culture's group separators (1 234,50 in Russian).</summary>
    private static ValueTask<FluidValue> Money(FluidValue input, FilterArguments arguments, TemplateContext context) =>
        new(StringValue.Create(input.ToNumberValue(context).ToString("N2", context.CultureInfo)));
}
