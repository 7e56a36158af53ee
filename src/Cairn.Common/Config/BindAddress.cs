using System.Globalization;
using System.Net;

namespace Cairn.Common.Config;

/// <summary>
/// A listener address as InfluxDB writes it: ":8086" (all interfaces), "127.0.0.1:0",
/// "[::1]:8088", "localhost:8091". Port 0 asks the system to pick one.
/// </summary>
public readonly record struct BindAddress(string Host, int Port)
{
    public bool IsAllInterfaces => Host.Length == 0 || Host == "0.0.0.0" || Host == "::" || Host == "[::]";

    public static bool TryParse(string text, out BindAddress address, out string? error)
    {
        address = default;
        error = null;
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = "expected HOST:PORT, such as \":8086\" or \"127.0.0.1:8086\"";
            return false;
        }
        var host = text[..colon].Trim();
        bool bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (bracketed) host = host[1..^1];
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = "port must be a number from 0 to 65535";
            return false;
        }
        if (host.Contains(':') && (!bracketed || !IPAddress.TryParse(host, out _)))
        {
            error = "IPv6 addresses are written in brackets, such as \"[::1]:8086\"";
            return false;
        }
        address = new BindAddress(host, port);
        return true;
    }

    public static BindAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException($"bind address \"{text}\": {error}");

    /// <summary>The address to bind; null means every interface.</summary>
    public IPAddress? ResolveHost()
    {
        if (IsAllInterfaces) return null;
        if (IPAddress.TryParse(Host, out var ip)) return ip;
        if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        var addresses = Dns.GetHostAddresses(Host);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"host \"{Host}\" has no address");
    }

    /// <summary>"HOST:PORT" as the READY line and logs print it.</summary>
    public static string Format(IPEndPoint bound, bool allInterfaces, string hostname) =>
        (allInterfaces ? hostname : bound.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bound.Address}]" : bound.Address.ToString())
        + ":" + bound.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The endpoint of a data node's <c>host:port</c> (an IP literal as it is, a name through DNS, IPv4 first); an
    /// address without a port or one that does not resolve is an <see cref="IOException"/>.
    /// </summary>
    public static async Task<System.Net.EndPoint> ResolveDataNodeAsync(string address, CancellationToken cancellationToken)
    {
        if (!TryParse(address, out var parsed, out var error) || parsed.Port == 0)
            throw new IOException($"invalid data node address \"{address}\": {error ?? "no port"}");
        if (System.Net.IPAddress.TryParse(parsed.Host.Trim('[', ']'), out var ip)) return new System.Net.IPEndPoint(ip, parsed.Port);
        var host = parsed.Host.Length == 0 ? "localhost" : parsed.Host;
        var addresses = await System.Net.Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new IOException($"cannot resolve {host}");
        return new System.Net.IPEndPoint(chosen, parsed.Port);
    }
}
