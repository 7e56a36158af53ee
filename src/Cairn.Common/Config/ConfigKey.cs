namespace Cairn.Common.Config;

public enum ConfigValueKind
{
    String,
    Boolean,
    Integer,
    /// <summary>Go-style duration string: "10s", "1m0s".</summary>
    Duration,
    /// <summary>Bytes: an integer, or a string with a k/m/g suffix.</summary>
    Size,
    StringArray,
}

/// <summary>One key of the TOML schema: where it lives, what it holds, and how it reaches the typed options.</summary>
public sealed class ConfigKey
{
    public required string Section { get; init; }
    public required string Name { get; init; }
    public required ConfigValueKind Kind { get; init; }
    public required NodeRole Roles { get; init; }
    public required string Doc { get; init; }
    public required Func<CairnConfig, object> Get { get; init; }
    public required Action<CairnConfig, object> Set { get; init; }
    /// <summary>Extra check on a parsed value; returns an error text or null.</summary>
    public Func<object, string?>? Validate { get; init; }

    /// <summary>Key in Microsoft.Extensions.Configuration terms: "http:bind-address", or "hostname".</summary>
    public string Path => Section.Length == 0 ? Name : Section + ":" + Name;

    /// <summary>How messages name the key: "[http] bind-address", or "hostname".</summary>
    public string Display => Section.Length == 0 ? Name : $"[{Section}] {Name}";

    /// <summary>The environment variable that overrides this key.</summary>
    public string EnvironmentName => ConfigSchema.EnvironmentPrefix +
        (Section.Length == 0 ? "" : ConfigSchema.EnvironmentPart(Section) + "_") + ConfigSchema.EnvironmentPart(Name);
}
