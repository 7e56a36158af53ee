namespace Cairn.Storage.Encoding;

/// <summary>
/// The value type of an encoded column: the upper nibble of its encoding byte. The value types carry
/// the same numbers as <c>Cairn.Storage.FieldType</c>, so a field's type is its column's type.
/// Zero is deliberately unused so a zero-filled (erased, never written) page is never a valid column.
/// </summary>
public enum ColumnType : byte
{
    Float = 1,
    Integer = 2,
    Unsigned = 3,
    Boolean = 4,
    String = 5,
    Timestamp = 6,
}
