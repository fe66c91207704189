using System.Collections.Concurrent;
using System.Globalization;
using System.Resources;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

using DomioOps.Cloud.Components;
using DomioOps.Cloud.Resources;

using Microsoft.Net.Http.Headers;

namespace DomioOps.Cloud.Terminal;

/// <summary>
/// The operator terminal's installable web application under <see cref="Path"/>: its files are static assets
/// (<c>wwwroot/terminal</c>, the bundle in <c>wwwroot/dist/terminal.js</c>); this serves its shell at the folder's own
/// address and its words, generated from <c>Resources/Ui*.resx</c> (keys <c>Terminal.*</c>, prefix stripped). All
/// anonymous, as the page shells are: the terminal's API asks for the terminal's sign-in.
/// </summary>
internal static class TerminalPwa
{
    public const string Path = "/terminal";

    private const string Prefix = "Terminal.";

    private static readonly ResourceManager Words = new(typeof(Ui));

    private static readonly ConcurrentDictionary<string, (byte[] Body, string ETag)> Dictionaries = new(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    public static WebApplication MapTerminalPwa(this WebApplication app)
    {
        app.MapGet(Path, Shell).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(Path + "/strings/{culture}.json", Strings).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// <c>/terminal/</c> is the application (its manifest's start and scope); <c>/terminal</c> sends there, so that the
    /// page is inside its service worker's scope.
    /// </summary>
    private static IResult Shell(HttpContext http, IWebHostEnvironment environment)
    {
        if (!(http.Request.Path.Value ?? "").EndsWith('/'))
        {
            return TypedResults.Redirect(Path + "/");
        }

        var file = environment.WebRootFileProvider.GetFileInfo("terminal/index.html");
        if (!file.Exists)
        {
            return TypedResults.NotFound();
        }

        // The service worker keeps the shell for offline use; the host's copy is checked each time it is asked.
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Stream(file.CreateReadStream(), "text/html; charset=utf-8", lastModified: file.LastModified);
    }

    /// <summary>The terminal's words in <paramref name="culture"/> (en or ru), 404 for another language.</summary>
    private static IResult Strings(string culture, HttpContext http)
    {
        if (!UiCulture.Supported.Contains(culture, StringComparer.Ordinal))
        {
            return TypedResults.NotFound();
        }

        var (body, etag) = Dictionaries.GetOrAdd(culture, Build);
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.Contains(etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(body, "application/json; charset=utf-8");
    }

    /// <summary>Every key of the English resources that starts with <see cref="Prefix"/>, in <paramref name="culture"/>.</summary>
    internal static Dictionary<string, string> Dictionary(string culture)
    {
        var language = CultureInfo.GetCultureInfo(culture);
        // The manager caches its sets: not disposed here.
        var keys = Words.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!
            .Cast<System.Collections.DictionaryEntry>()
            .Select(e => (string)e.Key)
            .Where(k => k.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        return keys.ToDictionary(k => k[Prefix.Length..], k => Words.GetString(k, language) ?? "", StringComparer.Ordinal);
    }

    private static (byte[] Body, string ETag) Build(string culture)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(Dictionary(culture), Json);
        return (body, new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..16]}\"").ToString());
    }
}
