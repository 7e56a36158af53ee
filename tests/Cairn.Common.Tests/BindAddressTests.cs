using System.Net;
using Cairn.Common.Config;

namespace Cairn.Common.Tests;

public class BindAddressTests
{
    [Test]
    [Arguments(":8086", "", 8086)]
    [Arguments("127.0.0.1:0", "127.0.0.1", 0)]
    [Arguments("[::1]:8088", "::1", 8088)]
    [Arguments("localhost:8091", "localhost", 8091)]
    [Arguments("0.0.0.0:65535", "0.0.0.0", 65535)]
    [Arguments("[::]:8089", "::", 8089)]
    [Arguments("[fe80::1%2]:80", "fe80::1%2", 80)]
    [Arguments("db-1.example.com:8086", "db-1.example.com", 8086)]
    public async Task Parse_ValidAddress_GivesHostAndPort(string text, string host, int port)
    {
        var address = BindAddress.Parse(text);
        await Assert.That(address.Host).IsEqualTo(host);
        await Assert.That(address.Port).IsEqualTo(port);
    }

    [Test]
    [Arguments("nonsense", "HOST:PORT")]
    [Arguments("8086", "HOST:PORT")]
    [Arguments("", "HOST:PORT")]
    [Arguments("localhost:", "port must be a number")]
    [Arguments("localhost:http", "port must be a number")]
    [Arguments("localhost:65536", "port must be a number")]
    [Arguments("localhost:99999999999", "port must be a number")]
    [Arguments("localhost:-1", "port must be a number")]
    [Arguments("localhost:+80", "port must be a number")]
    [Arguments(":80 ", "port must be a number")]
    [Arguments("[::1]", "port must be a number")]
    [Arguments("a:b:8086", "brackets")]
    [Arguments("[::1:8088", "brackets")]
    public async Task TryParse_InvalidAddress_FailsWithReason(string text, string reason)
    {
        var ok = BindAddress.TryParse(text, out _, out var error);
        await Assert.That(ok).IsFalse();
        await Assert.That(error).IsNotNull();
        await Assert.That(error!).Contains(reason);
    }

    [Test]
    public async Task Parse_InvalidAddress_ThrowsFormatExceptionNamingTheText()
    {
        await Assert.That(() => BindAddress.Parse("nonsense")).Throws<FormatException>().WithMessageContaining("\"nonsense\"");
    }

    [Test]
    public async Task TryParse_UnbracketedIPv6_IsRejected()
    {
        var ok = BindAddress.TryParse("::1:8088", out _, out var error);
        await Assert.That(ok).IsFalse();
        await Assert.That(error ?? "").Contains("brackets");
    }

    [Test]
    [Arguments(":8086", true)]
    [Arguments("0.0.0.0:8086", true)]
    [Arguments("[::]:8086", true)]
    [Arguments("127.0.0.1:8086", false)]
    [Arguments("localhost:8086", false)]
    [Arguments("[::1]:8086", false)]
    public async Task IsAllInterfaces_Address_MatchesWildcardHosts(string text, bool expected)
    {
        await Assert.That(BindAddress.Parse(text).IsAllInterfaces).IsEqualTo(expected);
    }

    [Test]
    public async Task ResolveHost_AllInterfaces_ReturnsNull()
    {
        await Assert.That(BindAddress.Parse(":8086").ResolveHost()).IsNull();
    }

    [Test]
    [Arguments("127.0.0.1:1", "127.0.0.1")]
    [Arguments("[::1]:1", "::1")]
    [Arguments("localhost:1", "127.0.0.1")]
    [Arguments("LOCALHOST:1", "127.0.0.1")]
    public async Task ResolveHost_LiteralOrLocalhost_GivesAddressWithoutDns(string text, string expected)
    {
        await Assert.That(BindAddress.Parse(text).ResolveHost()).IsEqualTo(IPAddress.Parse(expected));
    }

    [Test]
    public async Task Format_AllInterfaces_UsesHostname()
    {
        var text = BindAddress.Format(new IPEndPoint(IPAddress.Any, 8086), allInterfaces: true, hostname: "node-1");
        await Assert.That(text).IsEqualTo("node-1:8086");
    }

    [Test]
    public async Task Format_IPv4_PrintsAddressAndPort()
    {
        var text = BindAddress.Format(new IPEndPoint(IPAddress.Loopback, 40123), allInterfaces: false, hostname: "node-1");
        await Assert.That(text).IsEqualTo("127.0.0.1:40123");
    }

    [Test]
    public async Task Format_IPv6_BracketsAddress()
    {
        var text = BindAddress.Format(new IPEndPoint(IPAddress.IPv6Loopback, 8088), allInterfaces: false, hostname: "node-1");
        await Assert.That(text).IsEqualTo("[::1]:8088");
        // And what it prints parses back.
        await Assert.That(BindAddress.Parse(text)).IsEqualTo(new BindAddress("::1", 8088));
    }
}
