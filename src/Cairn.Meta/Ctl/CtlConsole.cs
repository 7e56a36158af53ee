namespace Cairn.Meta.Ctl;

/// <summary>What a `cairn ctl` run reads and writes: standard streams, the clock, and where to look for local nodes.</summary>
internal sealed class CtlConsole
{
    public required TextReader Input { get; init; }
    public required TextWriter Output { get; init; }
    public required TextWriter Error { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public LocalNodes Local { get; init; } = LocalNodes.Default();

    public static CtlConsole System() => new()
    {
        Input = Console.In,
        Output = Console.Out,
        Error = Console.Error,
        Local = LocalNodes.FromEnvironment(Environment.GetEnvironmentVariables()),
    };
}
