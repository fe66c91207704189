using static DomioOps.Cloud.Office.DraftText;

namespace DomioOps.Cloud.Office.Projects;

/// <summary>A project as it will be stored: trimmed, empty text as null.</summary>
internal sealed record ProjectFields(long CustomerId, string Kind, string Title, string? Address, string? Measurements, string? Materials, string? Notes, string Status);

/// <summary>Checks a project as typed and names each wrong field (<c>title</c>, <c>kind</c>, <c>status</c>).</summary>
internal static class ProjectValidation
{
    public static ProjectFields? Check(ProjectDraft draft, Dictionary<string, string[]> errors, bool versionRequired)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(errors);
        if (draft.CustomerId is not > 0)
        {
            errors["customerId"] = ["customerId is required: the id of the customer the work is for."];
        }

        var kind = Clean(draft.Kind)?.ToLowerInvariant();
        if (kind is null || !Project.Kinds.Contains(kind))
        {
            errors["kind"] = [$"kind is one of {string.Join(", ", Project.Kinds)}; got '{draft.Kind}'."];
        }

        var title = Text(draft.Title, "title", Project.MaxTitleLength, errors, required: true);
        var address = Text(draft.Address, "address", Project.MaxAddressLength, errors);
        var measurements = Text(draft.Measurements, "measurements", Project.MaxTextLength, errors);
        var materials = Text(draft.Materials, "materials", Project.MaxTextLength, errors);
        var notes = Text(draft.Notes, "notes", Project.MaxTextLength, errors);
        var status = Clean(draft.Status)?.ToLowerInvariant() ?? "enquiry";
        if (!Project.Statuses.Contains(status))
        {
            errors["status"] = [$"status is one of {string.Join(", ", Project.Statuses)}; got '{draft.Status}'."];
        }

        if (versionRequired && draft.Version is not > 0)
        {
            errors["version"] = ["version is required: the version of the project the change starts from (as read)."];
        }

        return errors.Count == 0 ? new(draft.CustomerId!.Value, kind!, title!, address, measurements, materials, notes, status) : null;
    }

}
