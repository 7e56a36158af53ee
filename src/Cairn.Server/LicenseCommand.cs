using System.Globalization;
using System.Security.Cryptography;
using Cairn.Common.Config;
using Cairn.Meta.Licensing;

namespace Cairn.Server;

/// <summary>`cairn license show FILE` and `cairn license issue …`.</summary>
internal static class LicenseCommand
{
    public static int Execute(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("cairn license: expected \"show FILE\" or \"issue …\"");
            return 2;
        }
        return args[0] switch
        {
            "show" => Show(args[1..]),
            "issue" => Issue(args[1..]),
            _ => Fail($"cairn license: unknown subcommand \"{args[0]}\"", 2),
        };
    }

    private static int Show(string[] args)
    {
        if (args.Length != 1) return Fail("cairn license show: expected one FILE", 2);
        string text;
        try { text = File.ReadAllText(args[0]); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail($"cairn license show: cannot read {args[0]}: {e.Message}", 1);
        }
        var result = LicenseLoader.FromDocument(text, LicenseSource.LicensePath, "licence file " + args[0]);
        if (!result.Ok) return Fail(result.Error!, 1);
        var l = result.License!;
        var now = DateTimeOffset.UtcNow;
        var state = now < l.Expires ? "valid" : "expired";
        Console.Out.Write($"""
            licensee: {l.Licensee}
            id: {l.Id}
            issued: {LicenseCodec.FormatTime(l.Issued)}
            expires: {LicenseCodec.FormatTime(l.Expires)}
            max-data-nodes: {l.MaxDataNodes}
            max-cores: {(l.MaxCores == 0 ? "0 (no cap)" : l.MaxCores.ToString(CultureInfo.InvariantCulture))}
            grace-start: {GoDuration.Format(l.GraceStart)}
            grace-running: {GoDuration.Format(l.GraceRunning)}
            signature: valid
            status: {state}

            """);
        return 0;
    }

    private static int Issue(string[] args)
    {
        var valueFlags = new HashSet<string> { "key", "licensee", "expires", "max-data-nodes", "max-cores", "grace-start", "grace-running", "id", "issued" };
        if (!CommandLine.TryParse(args, valueFlags, new HashSet<string>(), out var line, out var error))
            return Fail("cairn license issue: " + error, 2);
        foreach (var required in new[] { "key", "licensee", "expires", "max-data-nodes", "max-cores" })
            if (string.IsNullOrEmpty(line.Get(required))) return Fail($"cairn license issue: --{required} is required", 2);

        if (!LicenseCodec.TryTime(line.Get("expires")!, out var expires))
            return Fail($"cairn license issue: --expires must be an RFC3339 time such as 2036-01-01T00:00:00Z, not \"{line.Get("expires")}\"", 2);
        var issued = DateTimeOffset.UtcNow;
        if (line.Get("issued") is { } issuedText && !LicenseCodec.TryTime(issuedText, out issued))
            return Fail($"cairn license issue: --issued must be an RFC3339 time, not \"{issuedText}\"", 2);
        if (!int.TryParse(line.Get("max-data-nodes"), NumberStyles.None, CultureInfo.InvariantCulture, out var maxDataNodes))
            return Fail($"cairn license issue: --max-data-nodes must be a whole number, not \"{line.Get("max-data-nodes")}\"", 2);
        if (!int.TryParse(line.Get("max-cores"), NumberStyles.None, CultureInfo.InvariantCulture, out var maxCores))
            return Fail($"cairn license issue: --max-cores must be a whole number (0 = no cap), not \"{line.Get("max-cores")}\"", 2);
        var graceStart = License.DefaultGraceStart;
        if (line.Get("grace-start") is { } gs && !GoDuration.TryParse(gs, out graceStart))
            return Fail($"cairn license issue: --grace-start must be a duration such as 4h, not \"{gs}\"", 2);
        var graceRunning = License.DefaultGraceRunning;
        if (line.Get("grace-running") is { } gr && !GoDuration.TryParse(gr, out graceRunning))
            return Fail($"cairn license issue: --grace-running must be a duration such as 336h, not \"{gr}\"", 2);

        using var key = ECDsa.Create();
        try { key.ImportFromPem(File.ReadAllText(line.Get("key")!)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            return Fail($"cairn license issue: cannot load the private key {line.Get("key")}: {e.Message}", 1);
        }
        if (key.KeySize != 256) return Fail("cairn license issue: the key must be an ECDSA P-256 private key", 1);

        var license = new License
        {
            Licensee = line.Get("licensee")!,
            Id = line.Get("id") ?? Guid.NewGuid().ToString("N")[..16],
            Issued = issued,
            Expires = expires,
            MaxDataNodes = maxDataNodes,
            MaxCores = maxCores,
            GraceStart = graceStart,
            GraceRunning = graceRunning,
        };
        try { Console.Out.Write(LicenseCodec.Issue(license, key)); }
        catch (CryptographicException e) { return Fail($"cairn license issue: signing failed (is {line.Get("key")} a private key?): {e.Message}", 1); }
        return 0;
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine(message);
        return code;
    }
}
