using System.Globalization;
using System.Text;

namespace Cairn.Meta.Ctl;

/// <summary>
/// The text of `show-shards`, aligned as influxd-ctl's Go tabwriter (padding 2). Zero times
/// print empty; a truncated shard's End is its truncation time to the nanosecond with a
/// trailing <c>*</c>. Owners print as Go prints a slice of structs: <c>[{4 d1:8088} {5 d2:8088}]</c>,
/// with <c>-v</c> <c>{4 d1:8088 hot 2020-04-28 17:59:50.022558549 +0000 UTC 1784222 &lt;nil&gt;}</c>.
/// </summary>
internal static class ShardListing
{
    public static void Write(TextWriter output, List<ClusterShard> shards, bool verbose)
    {
        output.Write("Shards\n==========\n");
        var table = new TextTable(minWidth: 0, padding: 2)
            .Row("ID", "Database", "Retention Policy", "Desired Replicas", "Shard Group", "Start", "End", "Expires", "Owners");
        foreach (var shard in shards)
        {
            table.Row(
                shard.Id.ToString(CultureInfo.InvariantCulture),
                shard.Database,
                shard.RetentionPolicy,
                shard.ReplicaN.ToString(CultureInfo.InvariantCulture),
                shard.ShardGroupId.ToString(CultureInfo.InvariantCulture),
                Rfc3339(shard.StartTime),
                End(shard),
                Rfc3339(shard.ExpireTime),
                Owners(shard.Owners, verbose));
        }
        table.WriteTo(output);
    }

    internal static string End(ClusterShard shard)
    {
        if (GoTimestamp.TryParse(shard.TruncatedAt, out var truncated) && !truncated.IsZero)
            return truncated.FormatRfc3339Nano() + "*";
        return Rfc3339(shard.EndTime);
    }

    internal static string Owners(List<ShardOwner>? owners, bool verbose)
    {
        var sb = new StringBuilder("[");
        foreach (var owner in owners ?? [])
        {
            if (sb.Length > 1) sb.Append(' ');
            sb.Append('{').Append(owner.Id.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(owner.TcpAddr);
            if (verbose)
            {
                var modified = GoTimestamp.TryParse(owner.LastModified, out var time) ? time.FormatGoString() : owner.LastModified;
                sb.Append(' ').Append(owner.State)
                  .Append(' ').Append(modified)
                  .Append(' ').Append(owner.Size.ToString(CultureInfo.InvariantCulture))
                  .Append(' ').Append(owner.Err ?? "<nil>");
            }
            sb.Append('}');
        }
        return sb.Append(']').ToString();
    }

    /// <summary>RFC 3339 to the second, or nothing for the zero time; text that is not a time passes through.</summary>
    private static string Rfc3339(string text)
    {
        if (!GoTimestamp.TryParse(text, out var time)) return text;
        return time.IsZero ? "" : time.FormatRfc3339();
    }
}
