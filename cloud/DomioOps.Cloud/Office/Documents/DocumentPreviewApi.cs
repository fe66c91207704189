using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Office.Documents;

/// <summary>
/// <c>GET /api/office/documents/{id}/versions/{version}/preview</c> (policy <c>Office</c>): a PNG or JPEG version as
/// itself, a PDF's first page as PNG; 404 for anything else. Served inline, so it is locked down: the type is ours (from
/// the bytes, not the upload), <c>nosniff</c> stops the browser guessing another, and <c>Content-Security-Policy: sandbox</c>
/// keeps anything opened from it out of our origin.
/// </summary>
internal static class DocumentPreviewApi
{
    public static IEndpointRouteBuilder MapOfficeDocumentPreviewApi(this IEndpointRouteBuilder app)
    {
        app.MapGet($"{DocumentsApi.Path}/{{id:long}}/versions/{{version:int}}/preview", async (long id, int version, DocumentPreview preview, HttpContext http) =>
        {
            if (await preview.ImageAsync(id, version, http.RequestAborted) is not var (contentType, content))
            {
                return Results.NotFound();
            }

            http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "private, max-age=3600";
            return Results.File(content, contentType);
        }).WithTags("Office documents").RequireAuthorization(SecurityPolicies.Office);
        return app;
    }
}
