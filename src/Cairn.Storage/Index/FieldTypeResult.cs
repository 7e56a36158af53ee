namespace Cairn.Storage.Index;

/// <summary>What <see cref="SeriesIndex.TryRegisterField"/> found.</summary>
public enum FieldTypeResult : byte
{
    /// <summary>The field already had this type.</summary>
    Exists = 0,

    /// <summary>The field was new to the shard and now has this type.</summary>
    Created = 1,

    /// <summary>The field has another type in this shard; the write must be rejected.</summary>
    Conflict = 2,
}
