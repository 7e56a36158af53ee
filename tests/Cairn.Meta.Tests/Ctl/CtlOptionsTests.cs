using Cairn.Meta.Ctl;

namespace Cairn.Meta.Tests.Ctl;

public class CtlOptionsTests
{
    private static CtlOptions Parse(params string[] args)
    {
        if (!CtlOptions.TryParse(args, out var options, out _, out _, out _, out var error))
            throw new InvalidOperationException(error);
        return options;
    }

    private static string ParseError(params string[] args)
    {
        if (CtlOptions.TryParse(args, out _, out _, out _, out _, out var error))
            throw new InvalidOperationException("parsed, but an error was expected");
        return error!;
    }

    [Test]
    public async Task TryParse_NoFlags_InfluxdCtlDefaults()
    {
        CtlOptions.TryParse(["show"], out var options, out var command, out var rest, out var help, out _);
        await Assert.That(command).IsEqualTo("show");
        await Assert.That(rest.Length).IsEqualTo(0);
        await Assert.That(help).IsFalse();
        await Assert.That(options.BindAddress).IsEqualTo("localhost:8091");
        await Assert.That(options.AuthType).IsEqualTo(CtlAuthType.None);
        await Assert.That(options.Timeout).IsEqualTo(TimeSpan.FromSeconds(10));
        await Assert.That(options.Scheme).IsEqualTo("http");
    }

    [Test]
    [Arguments("-")]
    [Arguments("--")]
    public async Task TryParse_EitherDashStyle_ReadsEveryGlobalFlag(string dash)
    {
        var options = Parse(
            dash + "bind", "meta2:9091", dash + "bind-tls", dash + "k", dash + "auth-type", "BASIC",
            dash + "user", "admin", dash + "pwd", "p w", dash + "secret", "s", dash + "timeout", "1m30s", dash + "config", "/etc/x.conf", "show");
        await Assert.That(options.BindAddress).IsEqualTo("meta2:9091");
        await Assert.That(options.BindTls).IsTrue();
        await Assert.That(options.SkipTlsVerify).IsTrue();
        await Assert.That(options.Scheme).IsEqualTo("https");
        await Assert.That(options.AuthType).IsEqualTo(CtlAuthType.Basic);
        await Assert.That(options.User).IsEqualTo("admin");
        await Assert.That(options.Password).IsEqualTo("p w");
        await Assert.That(options.Secret).IsEqualTo("s");
        await Assert.That(options.Timeout).IsEqualTo(TimeSpan.FromSeconds(90));
        await Assert.That(options.ConfigPath).IsEqualTo("/etc/x.conf");
    }

    [Test]
    public async Task TryParse_EqualsForm_AndBoolFalse()
    {
        var options = Parse("-bind=h:1", "--bind-tls=false", "-k=true", "show");
        await Assert.That(options.BindAddress).IsEqualTo("h:1");
        await Assert.That(options.BindTls).IsFalse();
        await Assert.That(options.SkipTlsVerify).IsTrue();
    }

    [Test]
    public async Task TryParse_FlagsAfterTheCommand_AreTheCommands()
    {
        CtlOptions.TryParse(["-bind", "h:1", "show-shards", "-v", "-bind", "x:2"], out var options, out var command, out var rest, out _, out _);
        await Assert.That(options.BindAddress).IsEqualTo("h:1");
        await Assert.That(command).IsEqualTo("show-shards");
        await Assert.That(string.Join(' ', rest)).IsEqualTo("-v -bind x:2");
    }

    [Test]
    public async Task TryParse_Errors_NameTheProblem()
    {
        await Assert.That(ParseError("-nope", "show")).IsEqualTo("flag provided but not defined: -nope");
        await Assert.That(ParseError("-bind")).IsEqualTo("flag needs an argument: -bind");
        await Assert.That(ParseError("-k=maybe", "show")).IsEqualTo("invalid boolean value \"maybe\" for -k: parse error");
        await Assert.That(ParseError("-auth-type", "kerberos", "show")).StartsWith("invalid -auth-type: kerberos");
        await Assert.That(ParseError("-auth-type", "jwt", "-user", "u", "show")).IsEqualTo("-secret is required with -auth-type jwt");
        await Assert.That(ParseError("-timeout", "ten", "show")).StartsWith("invalid value \"ten\" for flag -timeout");
        await Assert.That(ParseError("-timeout", "0s", "show")).StartsWith("invalid value \"0s\" for flag -timeout");
        await Assert.That(ParseError("-bind", "meta1", "show")).StartsWith("invalid -bind \"meta1\"");
        await Assert.That(ParseError("---bind", "h:1", "show")).IsEqualTo("bad flag syntax: ---bind");
    }

    [Test]
    public async Task CommandFlags_AfterArguments_AndDoubleDashTerminator()
    {
        var flags = new CtlFlags().Bool("force").Value("tcpAddr").Bool("y");
        var ok = flags.TryParse(["m2:8091", "--force", "-tcpAddr=m2:8089", "-y", "--", "-notaflag"], stopAtFirstPositional: false, out var error);
        await Assert.That(ok).IsTrue().Because(error ?? "");
        await Assert.That(flags.IsSet("force")).IsTrue();
        await Assert.That(flags.IsSet("y")).IsTrue();
        await Assert.That(flags.Get("tcpAddr")).IsEqualTo("m2:8089");
        await Assert.That(string.Join(' ', flags.Positional)).IsEqualTo("m2:8091 -notaflag");
    }

    [Test]
    public async Task Run_UnknownGlobalFlag_ExitsOneWithMessage()
    {
        var run = await CtlRun.RunAsync("-nope", "show");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).StartsWith("flag provided but not defined: -nope\n");
        await Assert.That(run.Stdout).IsEqualTo("");
    }

    [Test]
    public async Task Run_HelpOrNoCommand_PrintsUsageAndExitsZero()
    {
        foreach (var args in new[] { Array.Empty<string>(), ["help"], ["-h"], ["--help"] })
        {
            var run = await CtlRun.RunAsync(args);
            await Assert.That(run.ExitCode).IsEqualTo(0);
            await Assert.That(run.Stdout).StartsWith("Usage: cairn ctl [global flags] <command>");
            await Assert.That(run.Stdout).Contains("truncate-shards [-delay d]");
        }
    }

    [Test]
    public async Task Run_UnknownCommand_ExitsOne()
    {
        var run = await CtlRun.RunAsync("frobnicate");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).StartsWith("unknown command \"frobnicate\"\n");
    }

    [Test]
    public async Task Run_CommandArgumentErrors_ExitOneWithCommandPrefix()
    {
        var missing = await CtlRun.RunAsync("add-data");
        await Assert.That(missing.ExitCode).IsEqualTo(1);
        await Assert.That(missing.Stderr).StartsWith("add-data: the data node's TCP address is required\nUsage: cairn ctl [global flags] add-data");

        var extra = await CtlRun.RunAsync("update-data", "a:1", "b:2", "c:3");
        await Assert.That(extra.ExitCode).IsEqualTo(1);
        await Assert.That(extra.Stderr).StartsWith("update-data: unexpected argument \"c:3\"\n");

        var badAddress = await CtlRun.RunAsync("add-meta", "meta1");
        await Assert.That(badAddress.ExitCode).IsEqualTo(1);
        await Assert.That(badAddress.Stderr).IsEqualTo("add-meta: invalid address \"meta1\": want host:port\n");

        var badFlag = await CtlRun.RunAsync("show-shards", "-x");
        await Assert.That(badFlag.ExitCode).IsEqualTo(1);
        await Assert.That(badFlag.Stderr).StartsWith("show-shards: flag provided but not defined: -x\n");

        var forceWithoutTcp = await CtlRun.RunAsync("remove-meta", "-force", "-y", "m2:8091");
        await Assert.That(forceWithoutTcp.ExitCode).IsEqualTo(1);
        await Assert.That(forceWithoutTcp.Stderr).IsEqualTo("remove-meta: -tcpAddr is required with -force\n");

        var badDelay = await CtlRun.RunAsync("truncate-shards", "-delay", "soon");
        await Assert.That(badDelay.ExitCode).IsEqualTo(1);
        await Assert.That(badDelay.Stderr).StartsWith("truncate-shards: invalid -delay \"soon\"");
    }

    [Test]
    public async Task Run_CommandHelp_PrintsCommandUsage()
    {
        var run = await CtlRun.RunAsync("remove-meta", "-h");
        await Assert.That(run.ExitCode).IsEqualTo(0);
        await Assert.That(run.Stdout).StartsWith("Usage: cairn ctl [global flags] remove-meta [-force]");
    }
}
