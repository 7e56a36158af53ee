namespace Cairn.Storage;

/// <summary>
/// The type of a field value, shared by the line protocol parser, the WAL, the cache, shard files and
/// the query layer. The numbers are persisted: never renumber a member.
/// </summary>
public enum FieldType : byte
{
    /// <summary>IEEE 754 double (<c>1</c>, <c>1.5</c>, <c>-1e10</c> in line protocol).</summary>
    Float = 1,

    /// <summary>Signed 64-bit integer (<c>123i</c>).</summary>
    Integer = 2,

    /// <summary>Unsigned 64-bit integer (<c>123u</c>).</summary>
    Unsigned = 3,

    /// <summary>Boolean (<c>t</c>, <c>true</c>, <c>F</c>, <c>false</c>…).</summary>
    Boolean = 4,

    /// <summary>UTF-8 string (<c>"…"</c>).</summary>
    String = 5,
}
