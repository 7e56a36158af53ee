using Cairn.Common.Config;

namespace Cairn.Meta.Ctl;

// show-shards, truncate-shards.
internal sealed partial class CtlSession
{
    public static readonly TimeSpan DefaultTruncateDelay = TimeSpan.FromMinutes(1);

    public async Task<int> ShowShardsAsync(string[] args, CancellationToken ct)
    {
        const string usage = """
            Usage: cairn ctl [global flags] show-shards [-v]
              -v   add each owner's state, last modification, size and error
            """;
        var flags = new CtlFlags().Bool("v");
        if (ParseArguments(flags, args, usage, 0, 0, "") is { } stop) return stop;
        bool verbose = flags.IsSet("v");
        var call = await Client.GetAsync(options.BindAddress, verbose ? "/show-shards?verbose=true" : "/show-shards", MetaApiJson.Default.ListClusterShard, ct).ConfigureAwait(false);
        if (!call.IsOk) return Fail(call);
        ShardListing.Write(console.Output, call.Value!, verbose);
        return 0;
    }

    public async Task<int> TruncateShardsAsync(string[] args, CancellationToken ct)
    {
        const string usage = """
            Usage: cairn ctl [global flags] truncate-shards [-delay <duration>]
              -delay   end the hot shard groups this long from now (default 1m0s)
            """;
        var flags = new CtlFlags().Value("delay");
        if (ParseArguments(flags, args, usage, 0, 0, "") is { } stop) return stop;
        var delay = DefaultTruncateDelay;
        if (flags.Get("delay") is { } delayText && (!GoDuration.TryParse(delayText, out delay) || delay < TimeSpan.Zero))
            return Fail($"invalid -delay \"{delayText}\": want a duration such as 30s or 1m");
        var call = await Client.PostAsync(options.BindAddress, "/truncate-shards", [Field("delay", GoDuration.Format(delay))], ct).ConfigureAwait(false);
        if (!call.IsOk) return Fail(call);
        Line("Truncated shards.");
        return 0;
    }
}
