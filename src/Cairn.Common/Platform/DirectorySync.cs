using System.Runtime.InteropServices;

namespace Cairn.Common.Platform;

/// <summary>
/// fsync of a directory, so a newly created (or deleted) segment's name is as durable as its
/// contents. .NET opens no handle on a directory, hence libc. Windows journals names itself.
/// </summary>
public static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int EINVAL = 22;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Open(directory, ReadOnly);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to sync it: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            // Some file systems cannot sync a directory (EINVAL); they give no stronger promise to ask for.
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != EINVAL)
                throw new IOException($"fsync of directory {directory} failed: errno {errno}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
