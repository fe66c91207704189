namespace DomioOps.Cloud.Office.Documents;

/// <summary>What a document belongs to: a customer, a project or an order (their tables come with their features).</summary>
internal static class DocumentOwners
{
    public static IReadOnlyList<string> Kinds { get; } = ["customer", "project", "order"];

    public static bool IsKind(string? kind) => kind is not null && Kinds.Contains(kind, StringComparer.Ordinal);
}

/// <summary>Whether a version's text has been taken from its file yet.</summary>
internal static class TextStates
{
    public const string Pending = "pending";
    public const string Extracted = "extracted";
    public const string Failed = "failed";
}

/// <summary>A document: a named file of an owner, with its versions (the newest is current).</summary>
internal sealed record OfficeDocument(long Id, string OwnerKind, long OwnerId, string Name, DateTimeOffset CreatedAt, string CreatedBy,
    int CurrentVersion, IReadOnlyList<DocumentVersion> Versions);

/// <summary>One upload of a document: its file's type, size and hash, who sent it and why, and where its text stands.</summary>
internal sealed record DocumentVersion(int Version, string ContentType, long Size, string Sha256, DateTimeOffset UploadedAt, string UploadedBy,
    string? Note, string TextState, string? TextError);

/// <summary>A search hit: the document, how well it matched, and a fragment of its text around the words found.</summary>
internal sealed record DocumentHit(long Id, string OwnerKind, long OwnerId, string Name, int CurrentVersion, double Rank, string? Snippet);

/// <summary>A new document's fields as the upload form sends them.</summary>
internal sealed record DocumentUpload(string OwnerKind, long OwnerId, string Name, string ContentType, byte[] Content, string? Note);

/// <summary>A version waiting for its text, claimed by one worker.</summary>
internal sealed record PendingVersion(long DocumentId, int Version, string ContentType, byte[] Content);
