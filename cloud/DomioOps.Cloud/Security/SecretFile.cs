namespace DomioOps.Cloud.Security;

/// <summary>
/// Files of secrets kept outside the database (keys, generated passwords, Mosquitto's password files). Each is written
/// whole to a file beside it that is created with its final mode, so it is never readable by others nor half written,
/// then moved into place: <see cref="TryCreate"/> never over a file another process made first (silos starting together
/// agree on one), <see cref="Replace"/> over the old one.
/// </summary>
internal static class SecretFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> (its folder made, readable by the owner only, when
    /// missing); false when the file exists already, or another process created it meanwhile: read that one.
    /// </summary>
    public static bool TryCreate(string path, ReadOnlySpan<byte> content, UnixFileMode mode = OwnerOnly)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return false;
        }

        var folder = Path.GetDirectoryName(full)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, OwnerOnly | UnixFileMode.UserExecute);
        }

        var aside = WriteAside(full, content, mode);
        try
        {
            File.Move(aside, full, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(full))
        {
            return false;
        }
        finally
        {
            File.Delete(aside);
        }
    }

    /// <summary>Replaces <paramref name="path"/> (whose folder exists) by <paramref name="content"/> in one move.</summary>
    public static void Replace(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var full = Path.GetFullPath(path);
        var aside = WriteAside(full, content, mode);
        try
        {
            File.Move(aside, full, overwrite: true);
        }
        finally
        {
            File.Delete(aside);
        }
    }

    private static string WriteAside(string full, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var aside = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = mode;
        }

        using var stream = new FileStream(aside, create);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
        return aside;
    }
}
