using System.Collections;
using System.Runtime.CompilerServices;

namespace Cairn.Query.Ast;

/// <summary>
/// An immutable list with element-wise equality, so records holding lists compare structurally.
/// Build one with a collection expression (<c>[a, b]</c>) or <see cref="NodeList.Create{T}(ReadOnlySpan{T})"/>.
/// </summary>
[CollectionBuilder(typeof(NodeList), nameof(NodeList.Create))]
public sealed class NodeList<T> : IReadOnlyList<T>, IEquatable<NodeList<T>>
{
    private readonly T[] _items;

    /// <summary>The empty list.</summary>
    public static NodeList<T> Empty { get; } = new([]);

    internal NodeList(T[] items) => _items = items;

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public ReadOnlySpan<T> AsSpan() => _items;

    public bool Equals(NodeList<T>? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other._items.Length != _items.Length) return false;
        var comparer = EqualityComparer<T>.Default;
        for (int i = 0; i < _items.Length; i++)
        {
            if (!comparer.Equals(_items[i], other._items[i])) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is NodeList<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items) hash.Add(item);
        return hash.ToHashCode();
    }

    public Enumerator GetEnumerator() => new(_items);

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override string ToString() => string.Join(", ", _items);

    /// <summary>Allocation-free enumerator for <c>foreach</c>.</summary>
    public struct Enumerator
    {
        private readonly T[] _items;
        private int _index;

        internal Enumerator(T[] items)
        {
            _items = items;
            _index = -1;
        }

        public readonly T Current => _items[_index];

        public bool MoveNext() => ++_index < _items.Length;
    }
}

/// <summary>Factory for <see cref="NodeList{T}"/>.</summary>
public static class NodeList
{
    public static NodeList<T> Create<T>(ReadOnlySpan<T> items) =>
        items.IsEmpty ? NodeList<T>.Empty : new NodeList<T>(items.ToArray());

    internal static NodeList<T> From<T>(List<T>? items) =>
        items is null || items.Count == 0 ? NodeList<T>.Empty : new NodeList<T>(items.ToArray());
}
