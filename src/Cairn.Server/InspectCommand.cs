using System.Globalization;
using System.Text;
using Cairn.Common.Config;
using Cairn.Query.Parsing;
using Cairn.Storage;
using Cairn.Storage.Engine;
using Cairn.Storage.Shards;

namespace Cairn.Server;

/// <summary>
/// <c>cairn inspect export</c>: reads the shards of a stopped data node (files, tombstones and
/// WAL) and prints every value as line protocol, one field per line, as <c>influx_inspect export</c>
/// does. Every block is decoded and checked, so it doubles as a consistency check: damage is
/// reported on stderr and counted in the exit code.
/// </summary>
internal static class InspectCommand
{
    public const string Usage = """
        Usage: cairn inspect export [--config FILE] [--datadir DIR] [--waldir DIR]
                                    [--database DB] [--retention RP] [--out FILE] [--lponly]
        Exports the data of a stopped data node as line protocol. The directories default to
        [data] dir and wal-dir of the configuration.
        """;

    public static async Task<int> ExecuteAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "export")
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        if (!CommandLine.TryParse(args[1..], new HashSet<string> { "config", "datadir", "waldir", "database", "retention", "out" },
                new HashSet<string> { "lponly" }, out var line, out var error) || line.Positional.Count > 0)
        {
            Console.Error.WriteLine("cairn inspect export: " + (error ?? $"unexpected argument {line.Positional[0]}"));
            return 2;
        }
        var config = new CairnConfig();
        if (line.Get("config") is { } path)
        {
            var loaded = ConfigLoader.Load(path, Environment.GetEnvironmentVariables());
            if (loaded.Diagnostics.Errors.Count > 0)
            {
                foreach (var e in loaded.Diagnostics.Errors) Console.Error.WriteLine("config error: " + e);
                return 1;
            }
            config = loaded.Config;
        }
        string dataDir = line.Get("datadir") ?? config.Data.Dir;
        string walDir = line.Get("waldir") ?? config.Data.WalDir;
        if (!Directory.Exists(dataDir))
        {
            Console.Error.WriteLine($"cairn inspect export: data directory {dataDir} does not exist");
            return 1;
        }

        // Damage found while opening shards is logged by the engine: show it on stderr.
        Cairn.Common.Logging.LogSetup.Configure("logfmt", "warn");
        await using var store = new TsdbStore(dataDir, walDir, new EngineOptions { CacheMaxMemorySize = 0 });
        try
        {
            await store.OpenAsync();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"cairn inspect export: {e.Message} (is the node still running?)");
            return 1;
        }
        var outPath = line.Get("out");
        await using var output = outPath is null ? Console.OpenStandardOutput() : File.Create(outPath);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        bool lpOnly = line.Has("lponly");
        string? database = line.Get("database"), retention = line.Get("retention");
        int damaged = 0;
        long values = 0;
        if (!lpOnly) writer.WriteLine("# DML");
        foreach (var shard in store.AllShards)
        {
            if (database is not null && shard.Database != database) continue;
            if (retention is not null && shard.RetentionPolicy != retention) continue;
            if (!lpOnly)
            {
                writer.WriteLine("# CONTEXT-DATABASE:" + shard.Database);
                writer.WriteLine("# CONTEXT-RETENTION-POLICY:" + shard.RetentionPolicy);
            }
            foreach (var key in shard.ShardKeys())
            {
                int sep = key.AsSpan().IndexOf(ShardKey.Separator);
                if (sep < 0) continue;
                var series = key.AsSpan(0, sep);
                var field = key.AsSpan(sep + ShardKey.Separator.Length);
                ShardValues? read;
                try
                {
                    read = shard.Read(series, field);
                }
                catch (ShardFileCorruptException e)
                {
                    damaged++;
                    Console.Error.WriteLine($"damaged: {e.Message}");
                    continue;
                }
                if (read is null) continue;
                string prefix = Encoding.UTF8.GetString(series) + " " + EscapeFieldKey(Encoding.UTF8.GetString(field)) + "=";
                for (int i = 0; i < read.Count; i++)
                {
                    writer.Write(prefix);
                    writer.Write(FormatValue(read, i));
                    writer.Write(' ');
                    writer.WriteLine(read.Times[i].ToString(CultureInfo.InvariantCulture));
                    values++;
                }
            }
        }
        await writer.FlushAsync();
        Console.Error.WriteLine($"exported {values} values from {store.AllShards.Count} shards" + (damaged > 0 ? $"; {damaged} keys damaged" : ""));
        return damaged > 0 ? 3 : 0;
    }

    private static string FormatValue(ShardValues values, int i) => values.Type switch
    {
        FieldType.Float => GoFormat.FormatFloatG(values.Float(i)),
        FieldType.Integer => values.Bits[i].ToString(CultureInfo.InvariantCulture) + "i",
        FieldType.Unsigned => ((ulong)values.Bits[i]).ToString(CultureInfo.InvariantCulture) + "u",
        FieldType.Boolean => values.Bits[i] != 0 ? "true" : "false",
        _ => "\"" + values.Strings[i].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
    };

    private static string EscapeFieldKey(string key) =>
        key.Replace(",", "\\,", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal).Replace(" ", "\\ ", StringComparison.Ordinal);
}
