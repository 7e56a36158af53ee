namespace Cairn.Common.Config;

/// <summary>What loading the configuration found wrong: errors stop the process, warnings are logged.</summary>
public sealed class ConfigDiagnostics
{
    public List<string> Errors { get; } = [];
    public List<string> Warnings { get; } = [];
}
