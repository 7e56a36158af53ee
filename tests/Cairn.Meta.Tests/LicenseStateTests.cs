using System.Text;
using System.Text.Json;
using Cairn.Meta.Licensing;

namespace Cairn.Meta.Tests;

public class LicenseStateTests
{
    private static readonly DateTimeOffset Start = new(2030, 3, 10, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Test]
    public async Task Evaluate_LicenceValid_NoRefusal()
    {
        var time = new FakeTime(Start);
        var state = new LicenseState(Licenses.Make(expires: Start.AddDays(30)), LicenseSource.LicensePath, time);
        await Assert.That(state.Evaluate().Phase).IsEqualTo(LicensePhase.Valid);
        await Assert.That(state.Evaluate().GraceEnds).IsNull();
        await Assert.That(state.Refusal("write")).IsNull();
        time.Advance(TimeSpan.FromDays(30) - Second);
        await Assert.That(state.Evaluate().Phase).IsEqualTo(LicensePhase.Valid);
        await Assert.That(state.Refusal("write")).IsNull();
    }

    [Test]
    public async Task ProcessStart_Constructor_IsTheClockAtCreation()
    {
        var time = new FakeTime(Start);
        var state = new LicenseState(Licenses.Make(), LicenseSource.LicenseKey, time);
        time.Advance(TimeSpan.FromHours(1));
        await Assert.That(state.ProcessStart).IsEqualTo(Start);
        await Assert.That(state.Source).IsEqualTo(LicenseSource.LicenseKey);
    }

    [Test]
    public async Task Refusal_ExpiredBeforeStart_AllowedUntilStartPlusGraceStart()
    {
        var time = new FakeTime(Start);
        var license = Licenses.Make(id: "lic-old", expires: Start.AddDays(-10), graceStart: TimeSpan.FromHours(4), graceRunning: TimeSpan.FromDays(14));
        var state = new LicenseState(license, LicenseSource.LicensePath, time);

        var status = state.Evaluate();
        await Assert.That(status.Phase).IsEqualTo(LicensePhase.Grace);
        await Assert.That(status.GraceEnds).IsEqualTo(Start.AddHours(4));
        await Assert.That(state.Refusal("write")).IsNull();

        time.Now = Start.AddHours(4) - Second;
        await Assert.That(state.Evaluate().Phase).IsEqualTo(LicensePhase.Grace);
        await Assert.That(state.Refusal("write")).IsNull();

        time.Now = Start.AddHours(4);
        await Assert.That(state.Evaluate().Phase).IsEqualTo(LicensePhase.Expired);
        var refusal = state.Refusal("write");
        await Assert.That(refusal).IsNotNull();
        await Assert.That(refusal!).StartsWith("write refused: ");
        await Assert.That(refusal).Contains("lic-old");
        await Assert.That(refusal).Contains("Example Corp");
        await Assert.That(refusal).Contains(LicenseCodec.FormatTime(license.Expires));
        await Assert.That(refusal).Contains(LicenseCodec.FormatTime(Start.AddHours(4)));
    }

    [Test]
    public async Task Refusal_ExpiredBeforeStart_GraceRunningDoesNotApply()
    {
        // Expired two days before start with 14 days of running grace: that grace is not for licences already expired.
        var time = new FakeTime(Start);
        var license = Licenses.Make(expires: Start.AddDays(-2), graceStart: TimeSpan.FromHours(1), graceRunning: TimeSpan.FromDays(14));
        var state = new LicenseState(license, LicenseSource.LicensePath, time);
        time.Advance(TimeSpan.FromHours(2));
        await Assert.That(state.Refusal("write")).IsNotNull();
    }

    [Test]
    public async Task Refusal_ExpiredBeforeStartWithZeroGrace_RefusedAtOnce()
    {
        var time = new FakeTime(Start);
        var state = new LicenseState(Licenses.Make(expires: Start.AddDays(-1), graceStart: TimeSpan.Zero), LicenseSource.LicensePath, time);
        await Assert.That(state.Evaluate().Phase).IsEqualTo(LicensePhase.Expired);
        await Assert.That(state.Refusal("metadata change")).StartsWith("metadata change refused: ");
    }

    [Test]
    public async Task Refusal_ExpiresWhileRunning_AllowedUntilExpiryPlusGraceRunning()
    {
        var time = new FakeTime(Start);
        var expires = Start.AddDays(3);
        var license = Licenses.Make(id: "lic-run", expires: expires, graceStart: TimeSpan.FromHours(4), graceRunning: TimeSpan.FromDays(14));
        var state = new LicenseState(license, LicenseSource.LicenseKey, time);

        time.Now = expires - Second;
        await Assert.That(state.Evaluate().Phase).IsEqualTo(LicensePhase.Valid);

        time.Now = expires;
        var status = state.Evaluate();
        await Assert.That(status.Phase).IsEqualTo(LicensePhase.Grace);
        await Assert.That(status.GraceEnds).IsEqualTo(expires.AddDays(14));
        await Assert.That(state.Refusal("write")).IsNull();

        // Well past the 4 hour start grace, still inside the running grace.
        time.Now = expires.AddDays(14) - Second;
        await Assert.That(state.Refusal("write")).IsNull();

        time.Now = expires.AddDays(14);
        var refusal = state.Refusal("write");
        await Assert.That(refusal).IsNotNull();
        await Assert.That(refusal!).Contains("lic-run");
        await Assert.That(refusal).Contains(LicenseCodec.FormatTime(expires.AddDays(14)));
    }

    [Test]
    public async Task Replace_RenewedLicence_LiftsTheRefusal()
    {
        var time = new FakeTime(Start);
        var state = new LicenseState(Licenses.Make(id: "old", expires: Start.AddDays(-1)), LicenseSource.LicensePath, time);
        time.Advance(TimeSpan.FromHours(5));
        await Assert.That(state.Refusal("write")).IsNotNull();

        var renewed = Licenses.Make(id: "renewed", expires: Start.AddYears(1));
        state.Replace(renewed, LicenseSource.LicenseKey);
        await Assert.That(state.Refusal("write")).IsNull();
        await Assert.That(state.Evaluate().Phase).IsEqualTo(LicensePhase.Valid);
        await Assert.That(state.License).IsEqualTo(renewed);
        await Assert.That(state.Source).IsEqualTo(LicenseSource.LicenseKey);
    }

    [Test]
    public async Task Replace_AnotherLicenceExpiredBeforeStart_DoesNotRestartTheGrace()
    {
        var time = new FakeTime(Start);
        var state = new LicenseState(Licenses.Make(id: "old", expires: Start.AddDays(-1)), LicenseSource.LicensePath, time);
        time.Advance(TimeSpan.FromHours(5));
        await Assert.That(state.Refusal("write")).IsNotNull();

        // Reloading (SIGHUP) another expired licence: its start grace counts from process start, so it is refused too.
        var alsoExpired = Licenses.Make(id: "also-expired", expires: Start.AddHours(-1), graceStart: TimeSpan.FromHours(4));
        state.Replace(alsoExpired, LicenseSource.LicensePath);
        var refusal = state.Refusal("write");
        await Assert.That(refusal).IsNotNull();
        await Assert.That(refusal!).Contains("also-expired");
        await Assert.That(state.Evaluate().GraceEnds).IsEqualTo(Start.AddHours(4));
    }

    [Test]
    public async Task Replace_DuringGrace_GraceEndIsStillFromProcessStart()
    {
        var time = new FakeTime(Start);
        var state = new LicenseState(Licenses.Make(expires: Start.AddDays(-1)), LicenseSource.LicensePath, time);
        time.Advance(TimeSpan.FromHours(3));
        state.Replace(Licenses.Make(id: "reloaded", expires: Start.AddDays(-1)), LicenseSource.LicensePath);
        await Assert.That(state.Refusal("write")).IsNull();
        time.Advance(TimeSpan.FromHours(1));
        await Assert.That(state.Refusal("write")).IsNotNull();
    }

    [Test]
    public async Task Evaluate_ExplicitTime_UsesThatTimeNotTheClock()
    {
        var time = new FakeTime(Start);
        var state = new LicenseState(Licenses.Make(expires: Start.AddDays(1), graceRunning: TimeSpan.FromDays(1)), LicenseSource.LicensePath, time);
        await Assert.That(state.Evaluate(Start.AddDays(1).AddHours(1)).Phase).IsEqualTo(LicensePhase.Grace);
        await Assert.That(state.Evaluate(Start.AddDays(3)).Phase).IsEqualTo(LicensePhase.Expired);
        await Assert.That(state.Evaluate().Phase).IsEqualTo(LicensePhase.Valid);
    }

    [Test]
    public async Task GraceEnds_LicenceKinds_FollowStartOrRunningRule()
    {
        var state = new LicenseState(Licenses.Make(), LicenseSource.LicensePath, new FakeTime(Start));
        var before = Licenses.Make(expires: Start.AddDays(-5), graceStart: TimeSpan.FromHours(6), graceRunning: TimeSpan.FromDays(2));
        var after = Licenses.Make(expires: Start.AddDays(5), graceStart: TimeSpan.FromHours(6), graceRunning: TimeSpan.FromDays(2));
        await Assert.That(state.GraceEnds(before)).IsEqualTo(Start.AddHours(6));
        await Assert.That(state.GraceEnds(after)).IsEqualTo(Start.AddDays(7));
    }

    [Test]
    public async Task WriteEntitlements_Licence_WritesDebugVarsObject()
    {
        var license = Licenses.Make(expires: new DateTimeOffset(2031, 7, 1, 0, 0, 0, TimeSpan.Zero), maxDataNodes: 6, maxCores: 12);
        var state = new LicenseState(license, LicenseSource.LicenseKey, new FakeTime(Start));
        using var doc = JsonDocument.Parse(Entitlements(state, [0, 1, 2, 5]));
        var e = doc.RootElement.GetProperty("entitlements");
        await Assert.That(e.GetProperty("licenseType").GetString()).IsEqualTo("license-key");
        await Assert.That(e.GetProperty("licenseExpiry").GetString()).IsEqualTo("2031-07-01T00:00:00Z");
        await Assert.That(e.GetProperty("maxDataNodes").GetInt32()).IsEqualTo(6);
        await Assert.That(e.GetProperty("maxCores").GetInt32()).IsEqualTo(12);
        var cores = e.GetProperty("coresInUse").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        await Assert.That(string.Join(",", cores)).IsEqualTo("0,1,2,5");
    }

    [Test]
    public async Task WriteEntitlements_AfterReplace_ReflectsTheNewLicence()
    {
        var state = new LicenseState(Licenses.Make(maxCores: 4), LicenseSource.LicensePath, new FakeTime(Start));
        state.Replace(Licenses.Make(maxCores: 0, maxDataNodes: 8), LicenseSource.Development);
        using var doc = JsonDocument.Parse(Entitlements(state, []));
        var e = doc.RootElement.GetProperty("entitlements");
        await Assert.That(e.GetProperty("licenseType").GetString()).IsEqualTo("development");
        await Assert.That(e.GetProperty("maxCores").GetInt32()).IsEqualTo(0);
        await Assert.That(e.GetProperty("maxDataNodes").GetInt32()).IsEqualTo(8);
        await Assert.That(e.GetProperty("coresInUse").GetArrayLength()).IsEqualTo(0);
    }

    [Test]
    public async Task Describe_Licence_NamesIdAndLicensee()
    {
        await Assert.That(Licenses.Make(id: "L-1", licensee: "ACME").Describe()).IsEqualTo("licence L-1 for \"ACME\"");
    }

    [Test]
    public async Task DefaultGrace_Constants_AreFourHoursAndFourteenDays()
    {
        await Assert.That(License.DefaultGraceStart).IsEqualTo(TimeSpan.FromHours(4));
        await Assert.That(License.DefaultGraceRunning).IsEqualTo(TimeSpan.FromDays(14));
    }

    private static string Entitlements(LicenseState state, IReadOnlyList<int> cores)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            state.WriteEntitlements(json, cores);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
