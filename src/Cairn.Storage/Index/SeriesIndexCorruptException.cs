namespace Cairn.Storage.Index;

/// <summary>
/// The series index file or log cannot be trusted. The message names the file; the shard may delete the
/// index directory and rebuild it from its data.
/// </summary>
public sealed class SeriesIndexCorruptException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public SeriesIndexCorruptException(string path, string problem)
        : base($"series index {path} is corrupt: {problem}") => Path = path;

    /// <summary>The damaged file.</summary>
    public string Path { get; }
}
