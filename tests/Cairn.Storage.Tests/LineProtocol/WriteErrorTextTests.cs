using Cairn.Storage.LineProtocol;

namespace Cairn.Storage.Tests.LineProtocol;

public class WriteErrorTextTests
{
    [Test]
    public async Task ForParseErrors_NoError_IsNull()
    {
        await Assert.That(WriteErrorText.ForParseErrors([], pointsParsed: 3)).IsNull();
    }

    [Test]
    public async Task ForParseErrors_EveryLineFailed_IsTheJoinedErrors()
    {
        string[] errors = ["unable to parse 'a': missing fields", "unable to parse 'b': missing fields"];

        await Assert.That(WriteErrorText.ForParseErrors(errors, pointsParsed: 0))
            .IsEqualTo("unable to parse 'a': missing fields\nunable to parse 'b': missing fields");
    }

    [Test]
    public async Task ForParseErrors_SomeLinesParsed_IsPartialWriteWithDroppedZero()
    {
        string[] errors = ["unable to parse 'a': missing fields"];

        await Assert.That(WriteErrorText.ForParseErrors(errors, pointsParsed: 1))
            .IsEqualTo("partial write: unable to parse 'a': missing fields dropped=0");
    }

    [Test]
    public async Task PartialWrite_WithCountDatabaseAndPolicy_FollowsPartialWriteError()
    {
        await Assert.That(WriteErrorText.PartialWrite("field type conflict", 2)).IsEqualTo("partial write: field type conflict dropped=2");
        await Assert.That(WriteErrorText.PartialWrite(["x", "y"], 5)).IsEqualTo("partial write: x\ny dropped=5");
        await Assert.That(WriteErrorText.PartialWrite("r", 1, "db0", "autogen"))
            .IsEqualTo("partial write: r dropped=1 for database: db0 for retention policy: autogen");
    }

    [Test]
    public async Task LineFailed_QuotesTheLine()
    {
        await Assert.That(WriteErrorText.LineFailed("cpu v=é"u8, "invalid boolean")).IsEqualTo("unable to parse 'cpu v=é': invalid boolean");
    }
}
