namespace Cairn.Common.Platform;

/// <summary>Replaces a file so that a crash leaves either the old contents or the new, never a mix.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <c>NAME.tmp</c>, fsyncs it, renames it over <paramref name="path"/>, and fsyncs the directory.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
