namespace Cairn.Common.Config;

/// <summary>Which services a process runs; also marks which config keys concern which role.</summary>
[Flags]
public enum NodeRole
{
    Meta = 1,
    Data = 2,
    Both = Meta | Data,
}

public static class NodeRoleNames
{
    public static string ToName(this NodeRole role) => role switch
    {
        NodeRole.Meta => "meta",
        NodeRole.Data => "data",
        _ => "both",
    };

    public static bool TryParse(string? text, out NodeRole role)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "meta": role = NodeRole.Meta; return true;
            case "data": role = NodeRole.Data; return true;
            case "both": role = NodeRole.Both; return true;
            default: role = NodeRole.Both; return false;
        }
    }
}
