namespace Cairn.Query.Parsing;

/// <summary>Time zone names for <c>tz('…')</c>, resolved as Go's <c>time.LoadLocation</c> does.</summary>
public static class TimeZones
{
    /// <summary>
    /// The location's name as Go reports it (<c>""</c> and <c>"UTC"</c> are <c>UTC</c>, <c>"Local"</c> stays
    /// <c>Local</c>, IANA names stay as given), or null when there is no such zone.
    /// </summary>
    public static string? Resolve(string name)
    {
        if (name.Length == 0 || name == "UTC") return "UTC";
        if (name == "Local") return "Local";
        // Go refuses names that could escape the zoneinfo directory.
        if (name.Contains("..", StringComparison.Ordinal) || name[0] == '/' || name[0] == '\\') return null;
        return TryFind(name, out _) ? name : null;
    }

    /// <summary>The zone for a name returned by <see cref="Resolve"/>.</summary>
    public static bool TryFind(string name, out TimeZoneInfo zone)
    {
        if (name == "UTC")
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }
        if (name == "Local")
        {
            zone = TimeZoneInfo.Local;
            return true;
        }
        if (TimeZoneInfo.TryFindSystemTimeZoneById(name, out var found))
        {
            zone = found;
            return true;
        }
        zone = TimeZoneInfo.Utc;
        return false;
    }
}
