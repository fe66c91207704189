using System.Diagnostics;
using System.Globalization;
using System.Net;

using DomioOps.Benchmarks.Cloud;

using Npgsql;

namespace DomioOps.Benchmarks.Office;

/// <summary>
/// The office's search at scale, through the real host on a real PostgreSQL: <c>customers</c> synthetic customers and
/// <c>documents</c> synthetic documents of 300 words each (default 100,000 of each; the words drawn with a skew, so
/// the first words of the vocabulary are in most documents, as "кухня" would be in a kitchen maker's files), and 20,000
/// production orders. Then each of three searches is asked a fixed set of queries — common, middling and rare words,
/// Russian and English, two words, a phrase, a name, an INN — first once to warm, then <c>rounds</c> times (default 10):
/// the customer list in relevance order (<c>/api/office/customers?q=</c>), the documents' search
/// (<c>/api/office/documents/search?q=</c>) and the one search box (<c>/api/office/search?q=</c>: customers, orders and
/// documents at once). Latency is from the request to the whole answer, one request at a time.
/// <c>dotnet run -c Release --project benchmarks/DomioOps.Benchmarks -- office-search [customers] [documents] [rounds]</c>
/// </summary>
internal static class OfficeSearchLoad
{
    /// <summary>The vocabulary, most frequent first (a draw takes word <c>floor(n · u³)</c>, u uniform).</summary>
    private static readonly string[] Words =
    [
        "кухня", "шкаф", "фасад", "заказ", "kitchen", "столешница", "доставка", "монтаж", "cabinet", "корпус",
        "ЛДСП", "кромка", "петля", "ящик", "order", "delivery", "размер", "цвет", "дуб", "белый",
        "гардероб", "прихожая", "спальня", "детская", "офис", "стол", "стул", "полка", "дверь", "зеркало",
        "wardrobe", "drawer", "hinge", "panel", "edge", "oak", "walnut", "ash", "beech", "maple",
        "договор", "счёт", "накладная", "спецификация", "эскиз", "замер", "чертёж", "смета", "оплата", "аванс",
        "contract", "invoice", "sketch", "drawing", "measurement", "quote", "payment", "deposit", "warranty", "service",
        "Egger", "Kronospan", "Blum", "Hettich", "Häfele", "Boyard", "Lamarty", "Cleaf", "Rehau", "Kessebohmer",
        "глянец", "матовый", "шпон", "массив", "стекло", "алюминий", "профиль", "ручка", "направляющая", "доводчик",
        "gloss", "matte", "veneer", "solid", "glass", "aluminium", "profile", "handle", "runner", "damper",
        "мойка", "вытяжка", "духовка", "холодильник", "посудомойка", "варочная", "панель", "цоколь", "карниз", "подсветка",
        "sink", "hood", "oven", "fridge", "dishwasher", "hob", "plinth", "cornice", "lighting", "socket",
        "Москва", "Подольск", "Химки", "Мытищи", "Люберцы", "Балашиха", "Королёв", "Одинцово", "Красногорск", "Щёлково",
        "рекламация", "гарантия", "замена", "скол", "царапина", "перекос", "зазор", "регулировка", "брак", "возврат",
        "claim", "replacement", "chip", "scratch", "gap", "adjustment", "defect", "return", "refund", "complaint",
        "антресоль", "пенал", "тумба", "комод", "стеллаж", "витрина", "буфет", "сервант", "консоль", "этажерка",
        "credenza", "sideboard", "dresser", "bookcase", "shelving", "console", "vanity", "pantry", "island", "peninsula",
    ];

    private static readonly string[] Surnames = ["Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева", "Козлов", "Новикова", "Морозов", "Петрова", "Волков", "Соловьёва", "Васильев", "Зайцева", "Павлов", "Семёнова", "Голубев", "Виноградова", "Богданов", "Воробьёва"];

    private static readonly string[] FirstNames = ["Иван", "Анна", "Пётр", "Мария", "Олег", "Ольга"];

    private static readonly string[] Companies = ["Мебельная фабрика", "Студия кухонь", "Салон мебели", "Furniture", "Interiors", "Кухни", "Шкафы-купе", "Design", "Мастерская", "Woodworks"];

    public static async Task<int> RunAsync(string[] args)
    {
        int Number(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
        var (customers, documents, rounds) = (Number(0, 100_000), Number(1, 100_000), Number(2, 10));
        var ct = CancellationToken.None;
        await using var cloud = await CloudHost.StartAsync(new Dictionary<string, string>(), ct);
        await SeedAsync(cloud.ConnectionString, customers, documents, ct);
        var office = cloud.Admin;
        string[] queries =
        [
            Words[0], Words[1], Words[4], Words[12], Words[40], Words[55], Words[90], Words[130], Words[150], Words[^1],
            $"{Words[0]} {Words[8]}", $"{Words[20]} {Words[60]}", $"\"{Words[2]} {Words[3]}\"", $"{Words[0]} -{Words[1]}",
            "мебель", "фабрика", Surnames[3], "Иван", "7701", "Щёлково",
        ];
        foreach (var (name, path) in new[] { ("customers, relevance", "api/office/customers?sort=relevance&q="), ("documents", "api/office/documents/search?q="), ("search box", "api/office/search?q=") })
        {
            foreach (var query in queries)
            {
                await AskAsync(office, path + Uri.EscapeDataString(query), ct);
            }

            var latencies = new List<double>();
            var byQuery = queries.ToDictionary(q => q, _ => new List<double>(), StringComparer.Ordinal);
            for (var round = 0; round < rounds; round++)
            {
                foreach (var query in queries)
                {
                    var elapsed = await AskAsync(office, path + Uri.EscapeDataString(query), ct);
                    latencies.Add(elapsed);
                    byQuery[query].Add(elapsed);
                }
            }

            LatencyReport.Print($"office-search {name} ({queries.Length} queries × {rounds} rounds, one at a time)", latencies);
            // The slowest queries by their median: where a tail comes from.
            Console.WriteLine("  slowest: " + string.Join("; ", byQuery.Select(p => (p.Key, Median: p.Value.Order().ElementAt(p.Value.Count / 2)))
                .OrderByDescending(p => p.Median).Take(4).Select(p => string.Create(CultureInfo.InvariantCulture, $"'{p.Key}' {p.Median:F0} ms"))));
        }

        return 0;
    }

    private static async Task<double> AskAsync(HttpClient client, string path, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), ct);
        _ = await response.Content.ReadAsByteArrayAsync(ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        return elapsed;
    }

    /// <summary>The synthetic rows, written by PostgreSQL itself (seeded, so every run has the same data), with progress.</summary>
    private static async Task SeedAsync(string connectionString, int customers, int documents, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        async Task RunAsync(string what, string sql, params (string Name, object Value)[] parameters)
        {
            var started = Stopwatch.GetTimestamp();
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            await command.ExecuteNonQueryAsync(ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"office-search: {what} in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
        }

        await RunAsync("seeded", "SELECT setseed(0.42)");
        // A word: floor(n · u³) — the first words in most rows, the last in few.
        const string Word = "(@words)[1 + floor(cardinality(@words) * power(random(), 3))::int]";
        for (var from = 0; from < customers; from += 20_000)
        {
            var count = Math.Min(20_000, customers - from);
            await RunAsync($"customers {from + count:N0} of {customers:N0}", $"""
                INSERT INTO office_customers ("Kind", "Name", "LegalName", "TaxId", "Email", "Phone", "Address", "Notes", "CreatedAt", "CreatedBy", "UpdatedAt")
                SELECT k, name, CASE WHEN k = 0 THEN 'ООО «' || name || '»' END,
                       CASE WHEN k = 0 THEN lpad((floor(random() * 1e10))::bigint::text, 10, '0') ELSE lpad((floor(random() * 1e12))::bigint::text, 12, '0') END,
                       'client' || i || '@example.ru', '+7 9' || lpad((floor(random() * 1e9))::bigint::text, 9, '0'),
                       (@towns)[1 + floor(random() * cardinality(@towns))::int] || ', ул. ' || {Word} || ', ' || (1 + floor(random() * 200))::int,
                       (SELECT string_agg({Word}, ' ') FROM generate_series(1, 8 + (i % 3))),
                       now() - make_interval(days => (random() * 1000)::int), 'benchmark', now()
                FROM (SELECT i, (i % 3 = 0)::int AS k,
                             CASE WHEN i % 3 = 0 THEN (@surnames)[1 + floor(random() * cardinality(@surnames))::int] || ' ' || (@first)[1 + floor(random() * cardinality(@first))::int]
                                  ELSE (@companies)[1 + floor(random() * cardinality(@companies))::int] || ' «' || {Word} || ' ' || i || '»' END AS name
                      FROM generate_series(@from, @to) AS i) AS rows
                """, ("words", Words), ("towns", Words[110..120]), ("surnames", Surnames), ("first", FirstNames),
                ("companies", Companies), ("from", from + 1), ("to", from + count));
        }

        for (var from = 0; from < documents; from += 5_000)
        {
            var count = Math.Min(5_000, documents - from);
            await RunAsync($"documents {from + count:N0} of {documents:N0}", $"""
                WITH rows AS (
                    SELECT i, (SELECT string_agg({Word}, ' ') FROM generate_series(1, 300 + 0 * i)) AS text FROM generate_series(@from, @to) AS i
                ), documents AS (
                    INSERT INTO office_documents ("OwnerKind", "OwnerId", "Name", "CreatedAt", "CreatedBy", "CurrentVersion", "CurrentText")
                    SELECT 'customer', 1 + i % 1000, (ARRAY['договор', 'спецификация', 'invoice', 'sketch', 'замер'])[1 + i % 5] || '-' || i || '.pdf',
                           now(), 'benchmark', 1, text FROM rows
                    RETURNING "Id", "CurrentText"
                )
                INSERT INTO office_document_versions ("DocumentId", "Version", "ContentType", "Size", "Sha256", "Content", "Text", "TextState", "UploadedAt", "UploadedBy")
                SELECT "Id", 1, 'application/pdf', length("CurrentText"), repeat('0', 64), convert_to("CurrentText", 'UTF8'), "CurrentText", 'extracted', now(), 'benchmark'
                FROM documents
                """, ("words", Words), ("from", from + 1), ("to", from + count));
        }

        await RunAsync("20,000 production orders", """
            INSERT INTO production_orders ("Number", "Customer", "DueDate", "Priority", "CreatedAt")
            SELECT 'Z-' || i, c."Name", current_date + (i % 60), 1 + i % 3, now()
            FROM generate_series(1, 20000) AS i JOIN office_customers c ON c."Id" = 1 + (i * 7) % @customers
            """, ("customers", customers));
        await RunAsync("analysed", "ANALYZE");
        await using var size = new NpgsqlCommand("SELECT pg_size_pretty(pg_database_size(current_database()))", connection);
        Console.WriteLine($"office-search: database {await size.ExecuteScalarAsync(ct)}");
    }
}
