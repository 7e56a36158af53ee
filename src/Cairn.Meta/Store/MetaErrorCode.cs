namespace Cairn.Meta.Store;

/// <summary>
/// Why the state machine refused a command. The numbers are stable: they are sent between nodes
/// and callers branch on them, never on <see cref="MetaResult.Message"/>.
/// </summary>
public enum MetaErrorCode : byte
{
    None = 0,
    InvalidName = 1,
    DatabaseNotFound = 2,
    RetentionPolicyNotFound = 3,
    RetentionPolicyExists = 4,
    RetentionPolicyConflict = 5,
    RetentionPolicyNameExists = 6,
    RetentionPolicyNameRequired = 7,
    RetentionPolicyDurationTooLow = 8,
    IncompatibleDurations = 9,
    ReplicationFactorTooLow = 10,
    ShardGroupNotFound = 11,
    TimeOutOfRange = 12,
    UsernameRequired = 13,
    UserExists = 14,
    UserNotFound = 15,
    ContinuousQueryExists = 16,
    ContinuousQueryNotFound = 17,
    SubscriptionExists = 18,
    SubscriptionNotFound = 19,
    InvalidSubscriptionUrl = 20,
    DataNodeLimit = 21,
    NodeNotFound = 22,
    NodeExists = 23,
    RoleNameRequired = 24,
    RoleExists = 25,
    RoleNotFound = 26,
}
