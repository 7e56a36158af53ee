using Cairn.Common.Config;

namespace Cairn.Common.Tests;

public class ConfigLocateTests
{
    private static Func<string, bool> Existing(params string[] paths) => p => paths.Contains(p, StringComparer.Ordinal);

    [Test]
    public async Task Locate_FlagGiven_WinsOverEnvironmentAndPackagedFile()
    {
        var diagnostics = new ConfigDiagnostics();
        var env = Env.Of(("CAIRN_CONFIG_PATH", "/env.toml"));
        var path = ConfigLoader.Locate("/flag.toml", NodeRole.Meta, env, diagnostics,
            Existing("/flag.toml", "/env.toml", ConfigLoader.MetaConfigFile, ConfigLoader.DataConfigFile));
        await Assert.That(path).IsEqualTo("/flag.toml");
        await Assert.That(diagnostics.Errors).IsEmpty();
    }

    [Test]
    public async Task Locate_NoFlag_EnvironmentPathWinsOverPackagedFile()
    {
        var diagnostics = new ConfigDiagnostics();
        var env = Env.Of(("CAIRN_CONFIG_PATH", "/env.toml"));
        var path = ConfigLoader.Locate(null, NodeRole.Meta, env, diagnostics,
            Existing("/env.toml", ConfigLoader.MetaConfigFile, ConfigLoader.DataConfigFile));
        await Assert.That(path).IsEqualTo("/env.toml");
        await Assert.That(diagnostics.Errors).IsEmpty();
    }

    [Test]
    [Arguments(NodeRole.Meta, "/etc/cairn/cairn-meta.toml")]
    [Arguments(NodeRole.Data, "/etc/cairn/cairn-data.toml")]
    [Arguments(NodeRole.Both, "/etc/cairn/cairn-data.toml")]
    public async Task Locate_NoFlagNoEnvironment_UsesPackagedFileOfRole(NodeRole role, string expected)
    {
        var diagnostics = new ConfigDiagnostics();
        var path = ConfigLoader.Locate(null, role, Env.Of(), diagnostics,
            Existing(ConfigLoader.MetaConfigFile, ConfigLoader.DataConfigFile));
        await Assert.That(path).IsEqualTo(expected);
        await Assert.That(diagnostics.Errors).IsEmpty();
    }

    [Test]
    public async Task Locate_MetaRoleAndOnlyDataFileExists_ReturnsNull()
    {
        var diagnostics = new ConfigDiagnostics();
        var path = ConfigLoader.Locate(null, NodeRole.Meta, Env.Of(), diagnostics, Existing(ConfigLoader.DataConfigFile));
        await Assert.That(path).IsNull();
        await Assert.That(diagnostics.Errors).IsEmpty();
    }

    [Test]
    public async Task Locate_NothingExists_ReturnsNullWithoutError()
    {
        var diagnostics = new ConfigDiagnostics();
        var path = ConfigLoader.Locate(null, NodeRole.Data, Env.Of(), diagnostics, Existing());
        await Assert.That(path).IsNull();
        await Assert.That(diagnostics.Errors).IsEmpty();
        await Assert.That(diagnostics.Warnings).IsEmpty();
    }

    [Test]
    public async Task Locate_MissingFlagFile_IsErrorAndDoesNotFallBack()
    {
        var diagnostics = new ConfigDiagnostics();
        var env = Env.Of(("CAIRN_CONFIG_PATH", "/env.toml"));
        var path = ConfigLoader.Locate("/missing.toml", NodeRole.Data, env, diagnostics,
            Existing("/env.toml", ConfigLoader.DataConfigFile));
        await Assert.That(path).IsNull();
        await Assert.That(diagnostics.Errors).Count().IsEqualTo(1);
        await Assert.That(diagnostics.Errors[0]).Contains("/missing.toml");
        await Assert.That(diagnostics.Errors[0]).Contains("--config");
    }

    [Test]
    public async Task Locate_MissingEnvironmentFile_IsErrorAndDoesNotFallBack()
    {
        var diagnostics = new ConfigDiagnostics();
        var env = Env.Of(("CAIRN_CONFIG_PATH", "/missing-env.toml"));
        var path = ConfigLoader.Locate(null, NodeRole.Data, env, diagnostics, Existing(ConfigLoader.DataConfigFile));
        await Assert.That(path).IsNull();
        await Assert.That(diagnostics.Errors).Count().IsEqualTo(1);
        await Assert.That(diagnostics.Errors[0]).Contains("/missing-env.toml");
        await Assert.That(diagnostics.Errors[0]).Contains("CAIRN_CONFIG_PATH");
    }

    [Test]
    public async Task Locate_EmptyFlagAndEmptyEnvironment_AreTreatedAsUnset()
    {
        var diagnostics = new ConfigDiagnostics();
        var env = Env.Of(("CAIRN_CONFIG_PATH", ""));
        var path = ConfigLoader.Locate("", NodeRole.Meta, env, diagnostics, Existing(ConfigLoader.MetaConfigFile));
        await Assert.That(path).IsEqualTo(ConfigLoader.MetaConfigFile);
        await Assert.That(diagnostics.Errors).IsEmpty();
    }

    [Test]
    public async Task Locate_RealFileSystem_FindsExistingFlagFile()
    {
        using var file = new TempFile("");
        var diagnostics = new ConfigDiagnostics();
        var path = ConfigLoader.Locate(file.Path, NodeRole.Data, Env.Of(), diagnostics);
        await Assert.That(path).IsEqualTo(file.Path);
        await Assert.That(diagnostics.Errors).IsEmpty();
    }
}
