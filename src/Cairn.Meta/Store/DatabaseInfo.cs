using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>
/// A database, its retention policies in creation order and the name of its default policy.
/// The default name may name no policy: dropping the default policy keeps the name, as InfluxDB does
/// (influxdata/influxdb#7144), so a policy created later under that name is the default again.
/// </summary>
public sealed record DatabaseInfo
{
    public DatabaseInfo(string name, string defaultRetentionPolicy, ImmutableArray<RetentionPolicyInfo> retentionPolicies,
        ImmutableArray<ContinuousQueryInfo> continuousQueries = default)
    {
        Name = name;
        DefaultRetentionPolicy = defaultRetentionPolicy;
        RetentionPolicies = retentionPolicies.OrEmpty();
        ContinuousQueries = continuousQueries.OrEmpty();
    }

    public string Name { get; init; }

    /// <summary>"" when the database has never had a default policy.</summary>
    public string DefaultRetentionPolicy { get; init; }

    public ImmutableArray<RetentionPolicyInfo> RetentionPolicies { get; init; }

    /// <summary>Continuous queries in creation order.</summary>
    public ImmutableArray<ContinuousQueryInfo> ContinuousQueries { get; init; }

    public RetentionPolicyInfo? RetentionPolicy(string name)
    {
        foreach (var rp in RetentionPolicies)
            if (rp.Name == name) return rp;
        return null;
    }

    internal int IndexOfRetentionPolicy(string name)
    {
        for (int i = 0; i < RetentionPolicies.Length; i++)
            if (RetentionPolicies[i].Name == name) return i;
        return -1;
    }

    public bool Equals(DatabaseInfo? other) =>
        other is not null && Name == other.Name && DefaultRetentionPolicy == other.DefaultRetentionPolicy
        && Sequences.Same(RetentionPolicies, other.RetentionPolicies) && Sequences.Same(ContinuousQueries, other.ContinuousQueries);

    public override int GetHashCode() => HashCode.Combine(Name, DefaultRetentionPolicy, RetentionPolicies.Length);
}
