using System.Text.Json.Serialization;

namespace DomioOps.Cloud.Office.Sales;

/// <summary>What a stage means for a deal in it: still open, won, or lost.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StageOutcome>))]
public enum StageOutcome
{
    [JsonStringEnumMemberName("open")]
    Open = 0,

    [JsonStringEnumMemberName("won")]
    Won = 1,

    [JsonStringEnumMemberName("lost")]
    Lost = 2,
}

/// <summary>A step of a pipeline, in its order (<see cref="Position"/>); the first is where a lead starts.</summary>
internal sealed record Stage(long Id, long PipelineId, int Position, string Key, string NameEn, string NameRu, StageOutcome Outcome)
{
    public string Name(bool russian) => russian ? NameRu : NameEn;
}

/// <summary>A sales pipeline (<c>office_pipelines</c>) with its ordered stages.</summary>
internal sealed record Pipeline(long Id, string Key, string NameEn, string NameRu, IReadOnlyList<Stage> Stages)
{
    public string Name(bool russian) => russian ? NameRu : NameEn;
}

/// <summary>
/// A deal with a customer (<c>office_deals</c>), in a stage of its pipeline; a lead is a deal in the pipeline's first
/// stage. <see cref="Version"/> is the optimistic concurrency token an edit or a move names. <see cref="CustomerName"/>
/// is read with it, for the board's cards.
/// </summary>
internal sealed record Deal(
    long Id,
    long CustomerId,
    string CustomerName,
    long PipelineId,
    long StageId,
    string Title,
    decimal Value,
    DateOnly? ExpectedClose,
    string OwnerId,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt,
    int Version)
{
    public const int MaxTitleLength = 300;

    /// <summary>numeric(18, 2): below 10^16 roubles.</summary>
    public const decimal MaxValue = 9_999_999_999_999_999.99m;
}

/// <summary>
/// A deal as typed (API body, board form). <see cref="StageId"/> left out means the pipeline's first stage (a new lead);
/// <see cref="OwnerId"/> left out means the caller; <see cref="Version"/> is required by an edit.
/// </summary>
internal sealed record DealDraft(
    long? CustomerId,
    long? PipelineId,
    string? Title,
    decimal? Value,
    long? StageId = null,
    DateOnly? ExpectedClose = null,
    string? OwnerId = null,
    int? Version = null);

/// <summary>A move of a deal to another stage of its pipeline, made to <see cref="Version"/> of the deal.</summary>
internal sealed record DealMove(long? StageId, int? Version);

/// <summary>The kind of an activity.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ActivityKind>))]
public enum ActivityKind
{
    [JsonStringEnumMemberName("call")]
    Call = 0,

    [JsonStringEnumMemberName("meeting")]
    Meeting = 1,

    [JsonStringEnumMemberName("task")]
    Task = 2,
}

/// <summary>
/// A call, meeting or task (<c>office_activities</c>) of a person (<see cref="OwnerId"/>), about a customer and/or a
/// deal or neither; its reminder rings the owner's bell once at <see cref="RemindAt"/> (<see cref="RemindedAt"/> set then).
/// </summary>
internal sealed record Activity(
    long Id,
    ActivityKind Kind,
    string Subject,
    DateTimeOffset DueAt,
    string OwnerId,
    long? CustomerId,
    long? DealId,
    bool Done,
    DateTimeOffset? RemindAt,
    DateTimeOffset? RemindedAt,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt,
    int Version)
{
    public const int MaxSubjectLength = 300;
}

/// <summary>An activity as typed. <see cref="Kind"/> is <c>call</c>, <c>meeting</c> or <c>task</c>; <see cref="OwnerId"/> left out is the caller.</summary>
internal sealed record ActivityDraft(
    string? Kind,
    string? Subject,
    DateTimeOffset? DueAt,
    string? OwnerId = null,
    long? CustomerId = null,
    long? DealId = null,
    bool Done = false,
    DateTimeOffset? RemindAt = null,
    int? Version = null);

/// <summary>Which activities a list shows.</summary>
internal enum ActivityFilter
{
    /// <summary>Not done yet (due now or later, or overdue).</summary>
    Open,

    /// <summary>Not done and past due.</summary>
    Overdue,

    Done,

    All,
}

/// <summary>One thing that happened to a customer: an audited change (its <see cref="Action"/>) or a document uploaded.</summary>
internal sealed record TimelineEntry(DateTimeOffset At, string Action, string EntityType, long? EntityId, string? Who, string? Title, string? Detail);

/// <summary>A page of a customer's timeline, newest first; <see cref="More"/> when an older page exists.</summary>
internal sealed record TimelinePage(int Page, int PageSize, bool More, IReadOnlyList<TimelineEntry> Items);
