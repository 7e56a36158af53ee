using System.Diagnostics;

namespace Cairn.Integration.Tests;

/// <summary>
/// A Linux network namespace joined to the test's own by a veth pair (`ip netns`, `ip link`; needs root): the
/// namespace side has <see cref="InnerAddress"/>, the test's side <see cref="OuterAddress"/>. Taking the link down
/// partitions whatever runs inside from everything outside; bringing it up heals it.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private readonly string _outerLink;

    private NetworkNamespace(string name, string outerLink, string outer, string inner)
    {
        Name = name;
        _outerLink = outerLink;
        OuterAddress = outer;
        InnerAddress = inner;
    }

    public string Name { get; }
    public string OuterAddress { get; }
    public string InnerAddress { get; }

    public static async Task<NetworkNamespace> CreateAsync()
    {
        int n = Random.Shared.Next(1, 250);
        string id = Guid.NewGuid().ToString("N")[..6];
        string name = "cairn-" + id, outer = "cv" + id + "a", inner = "cv" + id + "b";
        string outerIp = $"10.231.{n}.1", innerIp = $"10.231.{n}.2";
        var ns = new NetworkNamespace(name, outer, outerIp, innerIp);
        try
        {
            await IpAsync("netns", "add", name);
            await IpAsync("link", "add", outer, "type", "veth", "peer", "name", inner);
            await IpAsync("link", "set", inner, "netns", name);
            await IpAsync("addr", "add", outerIp + "/30", "dev", outer);
            await IpAsync("link", "set", outer, "up");
            await IpAsync("netns", "exec", name, "ip", "addr", "add", innerIp + "/30", "dev", inner);
            await IpAsync("netns", "exec", name, "ip", "link", "set", inner, "up");
            await IpAsync("netns", "exec", name, "ip", "link", "set", "lo", "up");
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
        return ns;
    }

    /// <summary>Cuts the namespace off (the veth link down on the outside).</summary>
    public Task PartitionAsync() => IpAsync("link", "set", _outerLink, "down");

    public Task HealAsync() => IpAsync("link", "set", _outerLink, "up");

    private static async Task IpAsync(params string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({p.ExitCode}): {stderr} (network namespaces need root)");
    }

    public async ValueTask DisposeAsync()
    {
        try { await IpAsync("link", "del", _outerLink); } catch (InvalidOperationException) { }
        try { await IpAsync("netns", "del", Name); } catch (InvalidOperationException) { }
    }
}
