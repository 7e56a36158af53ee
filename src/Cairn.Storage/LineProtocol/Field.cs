namespace Cairn.Storage.LineProtocol;

/// <summary>A field of a <see cref="Point"/>: the value is a boxed double, long, ulong, bool or string.</summary>
public readonly record struct Field(string Key, FieldType Type, object Value);
