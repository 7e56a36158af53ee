using Cairn.Meta.Ctl;

namespace Cairn.Meta.Tests.Ctl;

/// <summary>The outcome of one in-process `cairn ctl` run.</summary>
internal sealed record CtlOutcome(int ExitCode, string Stdout, string Stderr);

/// <summary>A clock stopped at one instant, for token expiry.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal static class CtlRun
{
    /// <summary>Local nodes that nothing listens on: 127.0.0.1:1 refuses at once.</summary>
    public static readonly LocalNodes NoLocalNodes = new("127.0.0.1:1", "127.0.0.1:1", "testhost");

    public static Task<CtlOutcome> RunAsync(params string[] args) => RunWithAsync("", null, null, args);

    public static async Task<CtlOutcome> RunWithAsync(string stdin, LocalNodes? local, TimeProvider? time, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var console = new CtlConsole
        {
            Input = new StringReader(stdin),
            Output = stdout,
            Error = stderr,
            Local = local ?? NoLocalNodes,
            Time = time ?? TimeProvider.System,
        };
        int exit = await CtlProgram.RunAsync(args, console, CancellationToken.None);
        return new CtlOutcome(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A port on 127.0.0.1 that was free a moment ago and has nothing listening now.</summary>
    public static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
