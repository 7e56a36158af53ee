namespace Cairn.Meta.Store;

/// <summary>
/// InfluxDB 1.x's texts for meta refusals (services/meta/errors.go, the root errors.go and
/// models.ErrTimeOutOfRange), so clients that match on them keep working.
/// </summary>
internal static class MetaErrors
{
    public const string InvalidName = "invalid name";
    public const string RetentionPolicyExists = "retention policy already exists";
    public const string RetentionPolicyConflict = "retention policy conflicts with an existing policy";
    public const string RetentionPolicyNameExists = "retention policy name already exists";
    public const string RetentionPolicyNameRequired = "retention policy name required";
    public const string RetentionPolicyDurationTooLow = "retention policy duration must be at least 1h0m0s";
    public const string IncompatibleDurations = "retention policy duration must be greater than the shard duration";
    public const string ReplicationFactorTooLow = "replication factor must be greater than 0";
    public const string ShardGroupNotFound = "shard group not found";
    public const string UsernameRequired = "username required";
    public const string UserExists = "user already exists";
    public const string UserNotFound = "user not found";
    public const string ContinuousQueryExists = "continuous query already exists";
    public const string ContinuousQueryNotFound = "continuous query not found";
    public const string SubscriptionExists = "subscription already exists";
    public const string SubscriptionNotFound = "subscription not found";

    public const string NodeNotFound = "node not found";
    public const string RoleNameRequired = "role name required";
    public const string RoleExists = "role already exists";
    public const string RoleNotFound = "role not found";

    /// <summary>Cairn's text (Enterprise's is not documented): names the licence's cap, as docs/licensing.md says.</summary>
    public static string DataNodeLimit(int max, int have) =>
        $"licence allows at most {max} data node{(max == 1 ? "" : "s")}; the cluster has {have}";

    public static string InvalidSubscriptionUrl(string url) => "invalid subscription URL: " + url;

    public static string DatabaseNotFound(string name) => "database not found: " + name;

    public static string RetentionPolicyNotFound(string name) => "retention policy not found: " + name;

    public static readonly string TimeOutOfRange = $"time outside range {RetentionRules.MinTime} - {RetentionRules.MaxTime}";
}
