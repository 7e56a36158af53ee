using Cairn.Common.Hashing;
using System.Diagnostics.CodeAnalysis;

namespace Cairn.Storage.Index;

/// <summary>
/// Equality and UTF-8 byte order for <c>byte[]</c> keys, with span lookups so a dictionary keyed by
/// bytes is probed without allocating.
/// </summary>
internal sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>, IComparer<byte[]>
{
    public static readonly ByteKeyComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode([DisallowNull] byte[] obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    private static int Hash(ReadOnlySpan<byte> bytes) => (int)Crc32C.Compute(bytes);
}
