namespace DomioOps.Cloud.Office.Templates;

/// <summary>The kinds of generated documents and the languages their templates are written in.</summary>
internal static class TemplateKinds
{
    public const string Quote = "quote";
    public const string OrderConfirmation = "order-confirmation";
    public const string DeliveryNote = "delivery-note";
    public const string Invoice = "invoice";

    public static IReadOnlyList<string> Kinds { get; } = [Quote, OrderConfirmation, DeliveryNote, Invoice];

    public static IReadOnlyList<string> Cultures { get; } = ["ru", "en"];

    public static bool IsKind(string? kind) => kind is not null && Kinds.Contains(kind, StringComparer.Ordinal);

    public static bool IsCulture(string? culture) => culture is not null && Cultures.Contains(culture, StringComparer.Ordinal);

    /// <summary>A document's title in a language, as the default templates print it and generated files are named.</summary>
    public static string Title(string kind, string culture) => (kind, culture) switch
    {
        (Quote, "ru") => "Коммерческое предложение",
        (OrderConfirmation, "ru") => "Подтверждение заказа",
        (DeliveryNote, "ru") => "Товарная накладная",
        (Invoice, "ru") => "Счёт на оплату",
        (Quote, _) => "Quote",
        (OrderConfirmation, _) => "Order confirmation",
        (DeliveryNote, _) => "Delivery note",
        _ => "Invoice",
    };

    /// <summary>The model a template's preview and its check on save are rendered with: every field filled, two lines.</summary>
    public static DocumentModel Sample(string kind) => new(
        new CustomerDetails("Мебельная мастерская «Дуб»", "ООО «Дуб»", "7707083893", "Москва, ул. Лесная, 5", "office@dub.example", "+7 495 123-45-67"),
        new ProjectDetails("Кухня на Лесной / Kitchen on Lesnaya", "Москва, ул. Лесная, 5, кв. 12"),
        kind switch { Quote => "КП-2026-014", OrderConfirmation => "З-2026-031", DeliveryNote => "ТН-2026-102", _ => "С-2026-077" },
        new DateOnly(2026, 3, 14),
        [
            new DocumentLine("Фасад МДФ 716×396, эмаль / MDF front", 12, "шт", 4_850m, 5m, 55_290m),
            new DocumentLine("Столешница дуб 38 мм / Oak worktop", 3.2m, "м", 12_400m, 0m, 39_680m),
        ],
        new DocumentTotals(94_970m, 20m, 18_994m, 113_964m),
        "Срок изготовления 20 рабочих дней. / Made in 20 working days.");
}
