using System.Text.Json;
using Cairn.Meta.Ctl;

namespace Cairn.Meta.Tests.Ctl;

public class ListingTests
{
    // The JSON the meta API documents (docs/meta-api.md), nodes deliberately out of id order.
    internal const string ShowClusterJson = """
        {"data":[
          {"id":5,"addr":"data2:8086","httpScheme":"http","tcpAddr":"data2:8088","version":"1.11.8-c0.1.0","labels":{"az":"us-east"}},
          {"id":4,"addr":"data1:8086","httpScheme":"http","tcpAddr":"data1:8088","version":"1.11.8-c0.1.0","labels":{"az":"us-west"}}],
         "meta":[
          {"id":1,"addr":"meta1:8091","httpScheme":"http","tcpAddr":"meta1:8089","version":"1.11.8-c0.1.0","labels":{"az":"us-west"}},
          {"id":3,"addr":"meta3:8091","httpScheme":"http","tcpAddr":"meta3:8089","version":"","labels":{}},
          {"id":2,"addr":"meta2:8091","httpScheme":"http","tcpAddr":"meta2:8089","version":"1.11.8-c0.1.0"}]}
        """;

    internal const string StatusJson = """
        {"nodeType":"meta","leader":"meta1:8089","httpAddr":"meta1:8091","raftAddr":"meta1:8089","peers":["meta1:8089","meta2:8089","meta3:8089"]}
        """;

    // influxd-ctl 1.10+'s show layout (enterprise-features.md §2.1), tabwriter minwidth 8, padding 2.
    internal const string ShowText = """
        Data Nodes
        ==========
        ID      TCP Address  HTTP Address  Version        Labels            Passive
        4       data1:8088   data1:8086    1.11.8-c0.1.0  {"az":"us-west"}  false
        5       data2:8088   data2:8086    1.11.8-c0.1.0  {"az":"us-east"}  false

        Meta Nodes
        ==========
        ID      Raft Address  HTTP Address  Version        Labels
        1       meta1:8089    meta1:8091    1.11.8-c0.1.0  {"az":"us-west"}
        2       meta2:8089    meta2:8091    1.11.8-c0.1.0  {}
        3       meta3:8089    meta3:8091    unknown        {}

        Raft Status
        ==========
        Leader  meta1:8089
        Peers   ["meta2:8089", "meta3:8089"]

        """;

    [Test]
    public async Task ClusterListing_DocumentedJson_PrintsInfluxdCtlLayout()
    {
        var cluster = JsonSerializer.Deserialize(ShowClusterJson, MetaApiJson.Default.ClusterNodes)!;
        var status = JsonSerializer.Deserialize(StatusJson, MetaApiJson.Default.MetaNodeStatus)!;
        var output = new StringWriter();
        ClusterListing.Write(output, cluster, status);
        await Assert.That(output.ToString()).IsEqualTo(ShowText.ReplaceLineEndings("\n"));
    }

    [Test]
    public async Task ClusterListing_NullListsStringIdsNoVersion_StillPrints()
    {
        var cluster = JsonSerializer.Deserialize("""{"data":null,"meta":[{"id":"1","addr":"m:8091","tcpAddr":"m:8089","labels":null}]}""", MetaApiJson.Default.ClusterNodes)!;
        var status = JsonSerializer.Deserialize("""{"nodeType":"meta","leader":"m:8089","peers":null}""", MetaApiJson.Default.MetaNodeStatus)!;
        var output = new StringWriter();
        ClusterListing.Write(output, cluster, status);
        await Assert.That(output.ToString()).IsEqualTo(
            "Data Nodes\n==========\n" +
            "ID      TCP Address  HTTP Address  Version  Labels  Passive\n" +
            "\n" +
            "Meta Nodes\n==========\n" +
            "ID      Raft Address  HTTP Address  Version  Labels\n" +
            "1       m:8089        m:8091        unknown  {}\n" +
            "\n" +
            "Raft Status\n==========\n" +
            "Leader  m:8089\n" +
            "Peers   []\n");
    }

    [Test]
    public async Task ClusterListing_Labels_SortedCompactJson()
    {
        await Assert.That(ClusterListing.Labels(new() { ["z"] = "1", ["a"] = "x \"y\"" })).IsEqualTo("""{"a":"x \"y\"","z":"1"}""");
        await Assert.That(ClusterListing.Labels(null)).IsEqualTo("{}");
    }

    [Test]
    public async Task ClusterListing_PeersWithoutLeaderOrNone()
    {
        var single = new MetaNodeStatus { Leader = "m1:8089", Peers = ["m1:8089"] };
        await Assert.That(ClusterListing.Peers(single)).IsEqualTo("[]");
        var unjoined = new MetaNodeStatus { Leader = "", Peers = null };
        await Assert.That(ClusterListing.Peers(unjoined)).IsEqualTo("[]");
    }

    internal const string ShowShardsJson = """
        [{"id":"51","database":"telegraf","retention-policy":"autogen","replica-n":2,"shard-group-id":"37",
          "start-time":"2017-03-13T00:00:00Z","end-time":"2017-03-20T00:00:00Z","expire-time":"0001-01-01T00:00:00Z",
          "truncated-at":"0001-01-01T00:00:00Z",
          "owners":[{"id":"26","tcpAddr":"cluster-data-node-01:8088"},{"id":"33","tcpAddr":"cluster-data-node-03:8088"}]}]
        """;

    // The row of the documented show-shards example (enterprise-features.md §2.2); alone in its
    // table, so each column is as wide as its header or cell plus 2 and the empty Expires is 9.
    internal const string ShowShardsText =
        "Shards\n" +
        "==========\n" +
        "ID  Database  Retention Policy  Desired Replicas  Shard Group  Start                 End                   Expires  Owners\n" +
        "51  telegraf  autogen           2                 37           2017-03-13T00:00:00Z  2017-03-20T00:00:00Z           [{26 cluster-data-node-01:8088} {33 cluster-data-node-03:8088}]\n";

    [Test]
    public async Task ShardListing_DocumentedJson_PrintsInfluxdCtlLayout()
    {
        var shards = JsonSerializer.Deserialize(ShowShardsJson, MetaApiJson.Default.ListClusterShard)!;
        var output = new StringWriter();
        ShardListing.Write(output, shards, verbose: false);
        await Assert.That(output.ToString()).IsEqualTo(ShowShardsText);
    }

    [Test]
    public async Task ShardListing_VerboseAndTruncated_OwnerTuplesStarAndAlignment()
    {
        const string json = """
            [{"id":"1","database":"telegraf","retention-policy":"autogen","replica-n":2,"shard-group-id":"1",
              "start-time":"2020-04-27T00:00:00Z","end-time":"2020-05-04T00:00:00Z","expire-time":"2021-05-04T00:00:00Z",
              "truncated-at":"2020-04-28T13:59:50.0225585Z",
              "owners":[{"id":"4","tcpAddr":"localhost:8188","state":"hot","last-modified":"2020-04-28T14:01:50.026425382-04:00","size":1949209,"err":null},
                        {"id":5,"tcpAddr":"localhost:8288","state":"cold","last-modified":"2020-04-28T18:00:00Z","size":"12","err":"disk gone"}]},
             {"id":"12","database":"a_much_longer_database","retention-policy":"rp","replica-n":1,"shard-group-id":"9",
              "start-time":"2020-05-04T00:00:00Z","end-time":"2020-05-11T00:00:00Z","expire-time":"0001-01-01T00:00:00Z",
              "truncated-at":"0001-01-01T00:00:00Z","owners":[]}]
            """;
        var shards = JsonSerializer.Deserialize(json, MetaApiJson.Default.ListClusterShard)!;
        var output = new StringWriter();
        ShardListing.Write(output, shards, verbose: true);
        var lines = output.ToString().Split('\n');
        await Assert.That(lines[0]).IsEqualTo("Shards");
        var header = lines[2];
        var first = lines[3];
        var second = lines[4];
        await Assert.That(first).Contains("2020-04-28T13:59:50.0225585Z*");
        await Assert.That(first).EndsWith("[{4 localhost:8188 hot 2020-04-28 14:01:50.026425382 -0400 -0400 1949209 <nil>} {5 localhost:8288 cold 2020-04-28 18:00:00 +0000 UTC 12 disk gone}]");
        await Assert.That(second).EndsWith("[]");
        // Every column starts where its header starts (tabwriter alignment).
        foreach (var (title, cell1, cell2) in new[]
                 {
                     ("Database", "telegraf", "a_much_longer_database"),
                     ("Retention Policy", "autogen", "rp"),
                     ("Start", "2020-04-27T00:00:00Z", "2020-05-04T00:00:00Z"),
                     ("End", "2020-04-28T13:59:50.0225585Z*", "2020-05-11T00:00:00Z"),
                     ("Expires", "2021-05-04T00:00:00Z", "["),
                 })
        {
            await Assert.That(first.IndexOf(cell1, StringComparison.Ordinal)).IsEqualTo(header.IndexOf(title, StringComparison.Ordinal)).Because(title);
            if (title != "Expires")
                await Assert.That(second.IndexOf(cell2, StringComparison.Ordinal)).IsEqualTo(header.IndexOf(title, StringComparison.Ordinal)).Because(title);
        }
        // The second shard never expires: its Expires cell is blank, so Owners follows at the Owners column.
        await Assert.That(second.IndexOf('[')).IsEqualTo(header.IndexOf("Owners", StringComparison.Ordinal));
    }

    [Test]
    public async Task GoTimestamp_FormatsAsGo()
    {
        await Assert.That(GoTimestamp.TryParse("2017-03-13T20:40:15.753443255Z", out var nano)).IsTrue();
        await Assert.That(nano.FormatRfc3339Nano()).IsEqualTo("2017-03-13T20:40:15.753443255Z");
        await Assert.That(nano.FormatRfc3339()).IsEqualTo("2017-03-13T20:40:15Z");
        await Assert.That(nano.FormatGoString()).IsEqualTo("2017-03-13 20:40:15.753443255 +0000 UTC");
        await Assert.That(nano.IsZero).IsFalse();

        GoTimestamp.TryParse("2020-04-28T14:01:50.100-04:00", out var offset);
        await Assert.That(offset.FormatRfc3339Nano()).IsEqualTo("2020-04-28T14:01:50.1-04:00");
        await Assert.That(offset.FormatGoString()).IsEqualTo("2020-04-28 14:01:50.1 -0400 -0400");

        GoTimestamp.TryParse("0001-01-01T00:00:00Z", out var zero);
        await Assert.That(zero.IsZero).IsTrue();
        GoTimestamp.TryParse("0001-01-01T05:30:00+05:30", out var zeroElsewhere);
        await Assert.That(zeroElsewhere.IsZero).IsTrue();

        await Assert.That(GoTimestamp.TryParse("2020-04-28 14:01:50Z", out _)).IsFalse();
        await Assert.That(GoTimestamp.TryParse("2020-04-28T14:01:50.1234567890Z", out _)).IsFalse();
    }
}
