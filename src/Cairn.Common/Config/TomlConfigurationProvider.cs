using System.Globalization;
using Microsoft.Extensions.Configuration;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Syntax;
using Tomlyn.Serialization;

namespace Cairn.Common.Config;

[TomlSerializable(typeof(TomlTable))]
internal sealed partial class CairnTomlContext : TomlSerializerContext;

/// <summary>
/// Feeds a TOML file into Microsoft.Extensions.Configuration as "section:key" strings. TOML types
/// are checked against the schema here, where they are still known; unknown keys are warnings.
/// </summary>
internal sealed class TomlConfigurationProvider(string text, string origin, ConfigDiagnostics diagnostics) : ConfigurationProvider
{
    public override void Load()
    {
        // Validate first: the serializer lets a key defined twice win silently; TOML forbids it.
        var syntax = SyntaxParser.Parse(text, origin, true);
        if (syntax.HasErrors)
        {
            var first = syntax.Diagnostics.FirstOrDefault(d => d.Kind == DiagnosticMessageKind.Error)?.ToString() ?? "syntax error";
            diagnostics.Errors.Add($"config file {origin} is not valid TOML: {first.Replace("␤", "end of line")}");
            return;
        }
        TomlTable root;
        try
        {
            root = TomlSerializer.Deserialize<TomlTable>(text, CairnTomlContext.Default)
                ?? new TomlTable();
        }
        catch (TomlException e)
        {
            diagnostics.Errors.Add($"config file {origin} is not valid TOML: {SyntaxError(e)}");
            return;
        }

        foreach (var (name, value) in root)
        {
            if (value is TomlTable aliased && ConfigSchema.SectionAlias(name) is { } target)
            {
                // OSS's [coordinator] holds the query limits Enterprise data nodes keep in [cluster].
                foreach (var (keyName, keyValue) in aliased)
                    LoadKey(target, keyName, keyValue);
            }
            else if (value is TomlTable table && ConfigSchema.IsSection(name))
            {
                foreach (var (keyName, keyValue) in table)
                    LoadKey(name, keyName, keyValue);
            }
            else if (value is TomlTable or TomlTableArray)
            {
                diagnostics.Warnings.Add($"unknown section [{name}] in {origin} is ignored");
            }
            else
            {
                LoadKey("", name, value);
            }
        }
    }

    private void LoadKey(string section, string name, object value)
    {
        var key = ConfigSchema.Find(section, name);
        var display = section.Length == 0 ? name : $"[{section}] {name}";
        if (key is null)
        {
            diagnostics.Warnings.Add($"unknown key {display} in {origin} is ignored");
            return;
        }
        string? problem = null;
        switch (key.Kind, value)
        {
            case (ConfigValueKind.String or ConfigValueKind.Duration, string s):
                Data[key.Path] = s;
                break;
            case (ConfigValueKind.Boolean, bool b):
                Data[key.Path] = b ? "true" : "false";
                break;
            case (ConfigValueKind.Integer or ConfigValueKind.Size, long l):
                Data[key.Path] = l.ToString(CultureInfo.InvariantCulture);
                break;
            case (ConfigValueKind.Size, string s):
                Data[key.Path] = s;
                break;
            case (ConfigValueKind.StringArray, TomlArray array):
                for (int i = 0; i < array.Count; i++)
                {
                    if (array[i] is string item) Data[key.Path + ":" + i.ToString(CultureInfo.InvariantCulture)] = item;
                    else { problem = "expected an array of strings"; break; }
                }
                break;
            default:
                problem = key.Kind switch
                {
                    ConfigValueKind.String => "expected a string",
                    ConfigValueKind.Boolean => "expected true or false",
                    ConfigValueKind.Integer => "expected an integer",
                    ConfigValueKind.Duration => "expected a duration string such as \"10s\"",
                    ConfigValueKind.Size => "expected a size such as 1073741824 or \"1g\"",
                    _ => "expected an array of strings",
                };
                break;
        }
        if (problem is not null)
            diagnostics.Errors.Add($"{display} = {Render(value)}: {problem} (in {origin})");
    }

    /// <summary>The parser's own words, "(line,column) : error : …", without the serializer's wrapping.</summary>
    private static string SyntaxError(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        var message = e.Message;
        const string reason = "Reason: ";
        int at = message.LastIndexOf(reason, StringComparison.Ordinal);
        return (at >= 0 ? message[(at + reason.Length)..] : message).Replace("␤", "end of line");
    }

    private static string Render(object value) => value switch
    {
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        double d => d.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        TomlArray => "[...]",
        TomlTable => "{...}",
        _ => value.ToString() ?? "",
    };
}

internal sealed class TomlConfigurationSource(string text, string origin, ConfigDiagnostics diagnostics) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new TomlConfigurationProvider(text, origin, diagnostics);
}
