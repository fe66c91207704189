namespace DomioOps.Cloud.Office.Templates;

/// <summary>
/// The template of each kind and language used until an administrator saves one (shown as version 0): a heading with the
/// document's title, number and date, our company and the customer, the project, the lines and the totals.
/// </summary>
internal static class DefaultTemplates
{
    public static string For(string kind, string culture)
    {
        var ru = culture == "ru";
        var words = ru
            ? (No: "№", Of: "от", Supplier: "Поставщик", Customer: "Покупатель", Project: "Проект", Name: "Наименование", Quantity: "Кол-во",
                Unit: "Ед.", Price: "Цена", Discount: "Скидка, %", Amount: "Сумма", Net: "Итого без НДС", Vat: "НДС", Total: "Всего к оплате",
                TaxId: "ИНН", Bank: "Реквизиты для оплаты", Received: "Товар получил, претензий нет: ____________")
            : (No: "No.", Of: "of", Supplier: "Supplier", Customer: "Customer", Project: "Project", Name: "Item", Quantity: "Qty",
                Unit: "Unit", Price: "Price", Discount: "Discount, %", Amount: "Amount", Net: "Net", Vat: "VAT", Total: "Total",
                TaxId: "Tax id", Bank: "Bank details", Received: "Received in good order: ____________");
        var prices = kind != TemplateKinds.DeliveryNote;
        var priceHeads = prices ? $"<th>{words.Price}</th><th>{words.Discount}</th><th>{words.Amount}</th>" : "";
        var priceCells = prices ? "<td class=\"n\">{{ line.price | money }}</td><td class=\"n\">{{ line.discount }}</td><td class=\"n\">{{ line.amount | money }}</td>" : "";
        var totals = prices
            ? $$$"""
            <table class="totals">
              <tr><th>{{{words.Net}}}</th><td class="n">{{ totals.net | money }}</td></tr>
              <tr><th>{{{words.Vat}}} {{ totals.vatRate }}%</th><td class="n">{{ totals.vat | money }}</td></tr>
              <tr><th>{{{words.Total}}}</th><td class="n"><strong>{{ totals.total | money }}</strong></td></tr>
            </table>
            """
            : $"<p>{words.Received}</p>";
        var bank = kind == TemplateKinds.Invoice ? $$$"""{% if company.bankDetails %}<p><strong>{{{words.Bank}}}:</strong> {{ company.bankDetails }}</p>{% endif %}""" : "";
        return $$$"""
            <!DOCTYPE html>
            <html lang="{{{culture}}}">
            <head>
            <meta charset="utf-8">
            <title>{{{TemplateKinds.Title(kind, culture)}}} {{{words.No}}} {{ number }}</title>
            <style>
              body { font: 14px/1.4 "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #111; }
              table { border-collapse: collapse; width: 100%; margin: 12px 0; }
              th, td { border: 1px solid #999; padding: 4px 6px; text-align: left; vertical-align: top; }
              .n { text-align: right; white-space: nowrap; }
              .totals { width: auto; margin-left: auto; }
            </style>
            </head>
            <body>
            <h1>{{{TemplateKinds.Title(kind, culture)}}} {{{words.No}}} {{ number }} {{{words.Of}}} {{ date }}</h1>
            <p><strong>{{{words.Supplier}}}:</strong> {{ company.legalName | default: company.name }}{% if company.taxId %}, {{{words.TaxId}}} {{ company.taxId }}{% endif %}{% if company.address %}, {{ company.address }}{% endif %}</p>
            <p><strong>{{{words.Customer}}}:</strong> {{ customer.legalName | default: customer.name }}{% if customer.taxId %}, {{{words.TaxId}}} {{ customer.taxId }}{% endif %}{% if customer.address %}, {{ customer.address }}{% endif %}</p>
            {% if project %}<p><strong>{{{words.Project}}}:</strong> {{ project.title }}{% if project.address %}, {{ project.address }}{% endif %}</p>{% endif %}
            <table>
              <tr><th>#</th><th>{{{words.Name}}}</th><th>{{{words.Quantity}}}</th><th>{{{words.Unit}}}</th>{{{priceHeads}}}</tr>
              {% for line in lines %}<tr><td>{{ forloop.index }}</td><td>{{ line.name }}</td><td class="n">{{ line.quantity }}</td><td>{{ line.unit }}</td>{{{priceCells}}}</tr>
              {% endfor %}
            </table>
            {{{totals}}}
            {{{bank}}}
            {% if notes %}<p>{{ notes }}</p>{% endif %}
            </body>
            </html>
            """;
    }
}
