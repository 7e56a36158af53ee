using System.Text.Json.Nodes;

namespace Cairn.Integration.Tests;

public partial class ConformanceTests
{
    /// <summary>
    /// Corpus queries whose answer is node-local or names shard ids, so a cluster answers them otherwise than one
    /// server: (corpus test, query name, why).
    /// </summary>
    internal static readonly (string Test, string Name, string Reason)[] ClusterExclusions =
    [
        ("TestServer_Query_DefaultDBAndRP", "default rp exists",
            "the autogen policy of a cluster's database keeps one copy per data node (Enterprise's rule: 3 here); the corpus's single server shows 1"),
        ("suite:retention_policy_auto_create", "show retention policies should return auto-created policy",
            "the autogen policy of a cluster's database keeps one copy per data node (Enterprise's rule: 3 here); the corpus's single server shows 1"),
    ];

    /// <summary>
    /// The corpus through a cluster of 3 meta and 3 data nodes. The runner creates its retention policies with
    /// replication 1, so each shard group has three shards, one per data node: writes through the first data node go to
    /// the owners by series, and every query reads shards of all three. The <c>retention-autocreate = false</c> suite
    /// needs that setting on the data nodes and runs on a single server only.
    /// </summary>
    [Test]
    [NotInParallel("cluster")]
    public async Task EveryQuery_PassesThroughAThreeDataNodeCluster_ButTheListedOnes()
    {
        var corpusPath = Path.Combine(ConformanceDir, "server_cases.json");
        var runPy = Path.Combine(ConformanceDir, "run.py");
        var corpus = JsonNode.Parse(await File.ReadAllTextAsync(corpusPath))!.AsArray();
        (string, string, string)[] exclusions = [.. FullCorpusExclusions, .. ClusterExclusions];
        var (cases, count, used) = Filter(corpus, t => t != RetentionPolicyCommands, schemaOnly: false, exclusions);
        foreach (var (test, name, _) in ClusterExclusions)
            await Assert.That(used.Contains((test, name))).IsTrue().Because($"cluster exclusion ({test}, {name}) matches no unskipped query: drop it");

        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 3);
        await c.FormAsync();
        var through = c.Data[0];
        await c.ShowEventuallyAsync(c.Meta[0], c.Data.Select(d => d.Tcp), TimeSpan.FromSeconds(20));
        var run = await RunCorpusAsync(runPy, c.Sandbox.WriteFile("cluster-cases.json", cases.ToJsonString()), through.Http, c.Sandbox.PathOf("cluster-fails.json"));
        await Assert.That(run.Failed).IsEqualTo(0).Because($"run.py failures:\n{run.Fails}\n{run.Output}");
        await Assert.That(run.Passed).IsEqualTo(count).Because(run.Output);
    }
}
