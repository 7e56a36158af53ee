using System.Text.Json;

namespace Cairn.Meta.Licensing;

/// <summary>
/// The licence a running node holds, and what it allows at a given moment.
///
/// Grace: a licence already expired when the process started is honoured for its grace-start
/// from the process start; one that expires while the process runs is honoured for its
/// grace-running from the expiry. Reloading (SIGHUP) replaces the licence but not the start time,
/// so reloading an expired licence cannot restart its grace.
/// </summary>
public sealed class LicenseState
{
    private readonly TimeProvider _time;
    private volatile Snapshot _current;

    private sealed record Snapshot(License License, LicenseSource Source);

    public LicenseState(License license, LicenseSource source, TimeProvider time)
    {
        _time = time;
        ProcessStart = time.GetUtcNow();
        _current = new Snapshot(license, source);
    }

    public DateTimeOffset ProcessStart { get; }
    public License License => _current.License;
    public LicenseSource Source => _current.Source;

    public void Replace(License license, LicenseSource source) => _current = new Snapshot(license, source);

    /// <summary>When <paramref name="license"/> stops allowing writes and metadata changes.</summary>
    public DateTimeOffset GraceEnds(License license) =>
        license.Expires > ProcessStart ? license.Expires + license.GraceRunning : ProcessStart + license.GraceStart;

    public LicenseStatus Evaluate() => Evaluate(_time.GetUtcNow());

    public LicenseStatus Evaluate(DateTimeOffset now)
    {
        var license = _current.License;
        if (now < license.Expires) return new LicenseStatus(LicensePhase.Valid, license, null);
        var ends = GraceEnds(license);
        return now < ends
            ? new LicenseStatus(LicensePhase.Grace, license, ends)
            : new LicenseStatus(LicensePhase.Expired, license, ends);
    }

    /// <summary>Null when writes (data) or metadata changes (meta) are allowed; else the message to answer with.</summary>
    public string? Refusal(string what)
    {
        var status = Evaluate();
        return status.Phase == LicensePhase.Expired
            ? $"{what} refused: {status.License.Describe()} expired at {LicenseCodec.FormatTime(status.License.Expires)} and its grace period ended at {LicenseCodec.FormatTime(status.GraceEnds!.Value)}; install a renewed licence and send SIGHUP"
            : null;
    }

    /// <summary>Writes the /debug/vars "entitlements" object.</summary>
    public void WriteEntitlements(Utf8JsonWriter json, IReadOnlyList<int> coresInUse)
    {
        var snapshot = _current;
        json.WriteStartObject("entitlements");
        json.WriteString("licenseType", snapshot.Source.ToName());
        json.WriteString("licenseExpiry", LicenseCodec.FormatTime(snapshot.License.Expires));
        json.WriteNumber("maxDataNodes", snapshot.License.MaxDataNodes);
        json.WriteNumber("maxCores", snapshot.License.MaxCores);
        json.WriteStartArray("coresInUse");
        foreach (var core in coresInUse) json.WriteNumberValue(core);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}

public enum LicensePhase
{
    Valid,
    /// <summary>Expired, still honoured until GraceEnds.</summary>
    Grace,
    /// <summary>Expired and past its grace: writes and metadata changes are refused.</summary>
    Expired,
}

public readonly record struct LicenseStatus(LicensePhase Phase, License License, DateTimeOffset? GraceEnds);
