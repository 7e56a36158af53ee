using Cairn.Common.Config;
using Cairn.Meta.Licensing;

namespace Cairn.Meta.Tests;

public class LicenseLoaderTests
{
    private static EnterpriseSection Enterprise(string key = "", string path = "") => new() { LicenseKey = key, LicensePath = path };

    [Test]
    public async Task Load_NothingSetAndZeroConfig_UsesEmbeddedDevelopmentLicence()
    {
        var result = LicenseLoader.Load(Enterprise(), zeroConfig: true);
        await Assert.That(result.Ok).IsTrue();
        await Assert.That(result.Error).IsNull();
        await Assert.That(result.Source).IsEqualTo(LicenseSource.Development);
        var license = result.License!;
        await Assert.That(license.Id).IsEqualTo("cairn-development");
        await Assert.That(license.Licensee).IsEqualTo("Cairn development");
        await Assert.That(license.Expires).IsEqualTo(new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await Assert.That(license.MaxDataNodes).IsEqualTo(8);
        await Assert.That(license.MaxCores).IsEqualTo(0);
        await Assert.That(license.GraceStart).IsEqualTo(TimeSpan.FromHours(4));
        await Assert.That(license.GraceRunning).IsEqualTo(TimeSpan.FromDays(14));
    }

    [Test]
    public async Task Load_NothingSetAndNotZeroConfig_FailsNamingBothSettings()
    {
        var result = LicenseLoader.Load(Enterprise(), zeroConfig: false);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.License).IsNull();
        await Assert.That(result.Error!).StartsWith("license key verification failed: ");
        await Assert.That(result.Error!).Contains("license-path");
        await Assert.That(result.Error!).Contains("license-key");
        await Assert.That(result.Error!).Contains("CAIRN_ENTERPRISE_LICENSE_PATH");
    }

    [Test]
    public async Task Load_OnlyWhitespaceSet_CountsAsNothingSet()
    {
        var result = LicenseLoader.Load(Enterprise(key: "  \n", path: "\t"), zeroConfig: false);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.Error!).Contains("no licence configured");
    }

    [Test]
    public async Task Load_BothSet_Fails()
    {
        using var file = new TempFile(Licenses.Signed(Licenses.Make()));
        var result = LicenseLoader.Load(Enterprise(key: Licenses.Signed(Licenses.Make()), path: file.Path), zeroConfig: false);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.Error!).StartsWith("license key verification failed: ");
        await Assert.That(result.Error!).Contains("both set");
    }

    [Test]
    public async Task Load_BothSetEvenInZeroConfig_Fails()
    {
        var result = LicenseLoader.Load(Enterprise(key: "{}", path: "/x.json"), zeroConfig: true);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.Error!).StartsWith("license key verification failed: ");
    }

    [Test]
    public async Task Load_InlineKey_VerifiesWithSourceLicenseKey()
    {
        var license = Licenses.Make(id: "inline-1");
        var result = LicenseLoader.Load(Enterprise(key: Licenses.Signed(license)), zeroConfig: false);
        await Assert.That(result.Ok).IsTrue();
        await Assert.That(result.Error).IsNull();
        await Assert.That(result.Source).IsEqualTo(LicenseSource.LicenseKey);
        await Assert.That(result.License).IsEqualTo(license);
    }

    [Test]
    public async Task Load_InlineKeyInZeroConfig_UsesTheKeyNotTheDevelopmentLicence()
    {
        var license = Licenses.Make(id: "inline-2");
        var result = LicenseLoader.Load(Enterprise(key: Licenses.Signed(license)), zeroConfig: true);
        await Assert.That(result.Source).IsEqualTo(LicenseSource.LicenseKey);
        await Assert.That(result.License!.Id).IsEqualTo("inline-2");
    }

    [Test]
    public async Task Load_Path_VerifiesWithSourceLicensePath()
    {
        var license = Licenses.Make(id: "file-1");
        using var file = new TempFile(Licenses.Signed(license));
        var result = LicenseLoader.Load(Enterprise(path: file.Path), zeroConfig: false);
        await Assert.That(result.Ok).IsTrue();
        await Assert.That(result.Error).IsNull();
        await Assert.That(result.Source).IsEqualTo(LicenseSource.LicensePath);
        await Assert.That(result.License).IsEqualTo(license);
    }

    [Test]
    public async Task Load_PathWithSurroundingWhitespace_IsTrimmed()
    {
        using var file = new TempFile(Licenses.Signed(Licenses.Make(id: "file-2")));
        var result = LicenseLoader.Load(Enterprise(path: "  " + file.Path + "\n"), zeroConfig: false);
        await Assert.That(result.Ok).IsTrue();
        await Assert.That(result.License!.Id).IsEqualTo("file-2");
    }

    [Test]
    public async Task Load_MissingFile_FailsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cairn-meta-test-{Guid.NewGuid():N}-missing.json");
        var result = LicenseLoader.Load(Enterprise(path: path), zeroConfig: false);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.Source).IsEqualTo(LicenseSource.LicensePath);
        await Assert.That(result.Error!).StartsWith("license key verification failed: ");
        await Assert.That(result.Error!).Contains("cannot read");
        await Assert.That(result.Error!).Contains(path);
    }

    [Test]
    public async Task Load_PathIsADirectory_Fails()
    {
        var result = LicenseLoader.Load(Enterprise(path: Path.GetTempPath()), zeroConfig: false);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.Error!).StartsWith("license key verification failed: ");
        await Assert.That(result.Error!).Contains("cannot read");
    }

    [Test]
    public async Task Load_MalformedInlineKey_FailsAsMalformed()
    {
        var result = LicenseLoader.Load(Enterprise(key: "{\"id\": \"x\""), zeroConfig: false);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.Source).IsEqualTo(LicenseSource.LicenseKey);
        await Assert.That(result.Error!).StartsWith("license key verification failed: [enterprise] license-key is malformed: ");
    }

    [Test]
    public async Task Load_MalformedFile_FailsAsMalformedNamingTheFile()
    {
        using var file = new TempFile("this is not a licence");
        var result = LicenseLoader.Load(Enterprise(path: file.Path), zeroConfig: false);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.Error!).StartsWith("license key verification failed: ");
        await Assert.That(result.Error!).Contains(file.Path);
        await Assert.That(result.Error!).Contains("malformed");
    }

    [Test]
    public async Task Load_FileSignedWithOtherKey_FailsAsBadSignature()
    {
        using var other = Keys.Untrusted();
        using var file = new TempFile(LicenseCodec.Issue(Licenses.Make(), other));
        var result = LicenseLoader.Load(Enterprise(path: file.Path), zeroConfig: false);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.Error!).StartsWith("license key verification failed: ");
        await Assert.That(result.Error!).Contains("bad signature");
    }

    [Test]
    public async Task Load_TamperedInlineKey_FailsAsBadSignature()
    {
        var tampered = Licenses.Edit(Licenses.Signed(Licenses.Make()), o => o["max-data-nodes"] = 1000);
        var result = LicenseLoader.Load(Enterprise(key: tampered), zeroConfig: false);
        await Assert.That(result.Ok).IsFalse();
        await Assert.That(result.Error!).StartsWith("license key verification failed: [enterprise] license-key has a bad signature: ");
    }

    [Test]
    public async Task Load_ExpiredButValidlySignedLicence_LoadsSoGraceCanApply()
    {
        var license = Licenses.Make(expires: new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var result = LicenseLoader.Load(Enterprise(key: Licenses.Signed(license)), zeroConfig: false);
        await Assert.That(result.Ok).IsTrue();
        await Assert.That(result.License).IsEqualTo(license);
    }

    [Test]
    public async Task FromDocument_Failure_NamesWhatWasRead()
    {
        var result = LicenseLoader.FromDocument("[]", LicenseSource.LicensePath, "licence file /tmp/x.json");
        await Assert.That(result.Error).IsEqualTo("license key verification failed: licence file /tmp/x.json is malformed: not a JSON object");
    }

    [Test]
    public async Task FailurePrefix_Constant_IsInfluxCompatibleText()
    {
        await Assert.That(LicenseLoader.FailurePrefix).IsEqualTo("license key verification failed: ");
    }

    [Test]
    [Arguments(LicenseSource.LicenseKey, "license-key")]
    [Arguments(LicenseSource.LicensePath, "license-path")]
    [Arguments(LicenseSource.Development, "development")]
    public async Task ToName_Source_IsDebugVarsName(LicenseSource source, string name)
    {
        await Assert.That(source.ToName()).IsEqualTo(name);
    }
}
