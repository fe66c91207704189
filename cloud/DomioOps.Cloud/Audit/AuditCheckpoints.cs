using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// The folder of signed checkpoints (<see cref="AuditOptions.CheckpointDirectory"/>). Each checkpoint is a new file,
/// created exclusively (never replacing one) with mode 0444, so this process cannot rewrite what it exported either;
/// on write-once storage nobody can.
/// </summary>
internal sealed class AuditCheckpoints(IOptions<AuditOptions> options, AuditKey key, TimeProvider time)
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public string Directory => options.Value.CheckpointDirectory;

    /// <summary>Exports the head (<paramref name="seq"/>, <paramref name="hash"/>); null when a checkpoint of that row exists already.</summary>
    public AuditCheckpoint? Write(long seq, byte[] hash, long keyedFrom)
    {
        var checkpoint = new AuditCheckpoint(seq, hash, keyedFrom, time.GetUtcNow());
        var path = Path.Combine(Directory, checkpoint.FileName);
        if (File.Exists(path))
        {
            return null;
        }

        System.IO.Directory.CreateDirectory(Directory);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = ReadOnly;
        }

        try
        {
            using var stream = new FileStream(path, create);
            stream.Write(checkpoint.ToFile(key));
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null; // another silo exported the same row first
        }

        if (OperatingSystem.IsWindows())
        {
            File.SetAttributes(path, FileAttributes.ReadOnly);
        }
        else
        {
            File.SetUnixFileMode(path, ReadOnly); // whatever the umask did
        }

        return checkpoint;
    }

    /// <summary>Every checkpoint file in the folder, by name; <see cref="Found.Checkpoint"/> is null for one that is not signed with the key.</summary>
    public IReadOnlyList<Found> ReadAll()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        return [.. System.IO.Directory.EnumerateFiles(Directory, AuditCheckpoint.FilePattern)
            .Order(StringComparer.Ordinal)
            .Select(path => new Found(path, AuditCheckpoint.FromFile(File.ReadAllBytes(path), key)))];
    }

    internal sealed record Found(string Path, AuditCheckpoint? Checkpoint);
}
