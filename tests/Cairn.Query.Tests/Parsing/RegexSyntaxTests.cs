using Cairn.Query.Parsing;

namespace Cairn.Query.Tests.Parsing;

/// <summary>Regex patterns are accepted and rejected as Go's regexp.Compile does, with its words.</summary>
public class RegexSyntaxTests
{
    [Test]
    [Arguments("")]
    [Arguments("cpu.*")]
    [Arguments("^server\\d+$")]
    [Arguments("a*?b+?c??")]
    [Arguments("a{2}b{2,}c{2,5}d{2,5}?")]
    [Arguments("a{,2}")]
    [Arguments("x{")]
    [Arguments("x{a}")]
    [Arguments("(?i)abc")]
    [Arguments("(?i:abc)|(?s-m:x)")]
    [Arguments("(?P<name>a)(?<other>b)")]
    [Arguments("[a-z0-9_\\-]+")]
    [Arguments("[]a]")]
    [Arguments("[^]a]")]
    [Arguments("[[:alpha:][:^digit:]]")]
    [Arguments("\\p{Greek}\\pL\\P{Lu}\\p{^Han}")]
    [Arguments("\\x41\\x{1F600}\\101\\0")]
    [Arguments("\\Q*+?\\E")]
    [Arguments("\\Qunterminated")]
    [Arguments("\\.\\*\\_\\/\\-")]
    [Arguments("\\A\\b\\B\\z")]
    [Arguments("^*")]
    [Arguments("a|b|")]
    [Arguments("héllo😀")]
    public async Task Validate_GoAcceptedPattern_IsNull(string pattern)
    {
        await Assert.That(RegexSyntax.Validate(pattern)).IsNull();
    }

    [Test]
    [Arguments("(", "missing closing ): `(`")]
    [Arguments("(a|b", "missing closing ): `(a|b`")]
    [Arguments(")", "unexpected ): `)`")]
    [Arguments("a)b", "unexpected ): `a)b`")]
    [Arguments("[a", "missing closing ]: `[a`")]
    [Arguments("a[b-", "missing closing ]: `[b-`")]
    [Arguments("*", "missing argument to repetition operator: `*`")]
    [Arguments("a|*", "missing argument to repetition operator: `*`")]
    [Arguments("(+)", "missing argument to repetition operator: `+`")]
    [Arguments("(?i)*", "missing argument to repetition operator: `*`")]
    [Arguments("{2}", "missing argument to repetition operator: `{2}`")]
    [Arguments("a**", "invalid nested repetition operator: `**`")]
    [Arguments("a*??", "invalid nested repetition operator: `*??`")]
    [Arguments("a{2}{3}", "invalid nested repetition operator: `{2}{3}`")]
    [Arguments("a{2,1}", "invalid repeat count: `{2,1}`")]
    [Arguments("a{1001}", "invalid repeat count: `{1001}`")]
    [Arguments("a{123456789}", "invalid repeat count: `{123456789}`")]
    [Arguments("\\8", "invalid escape sequence: `\\8`")]
    [Arguments("\\1", "invalid escape sequence: `\\1`")]
    [Arguments("\\q", "invalid escape sequence: `\\q`")]
    [Arguments("\\C", "invalid escape sequence: `\\C`")]
    [Arguments("\\xZZ", "invalid escape sequence: `\\xZZ`")]
    [Arguments("\\x{110000}", "invalid escape sequence: `\\x{110000`")]
    [Arguments("\\x{}", "invalid escape sequence: `\\x{}`")]
    [Arguments("[\\b]", "invalid escape sequence: `\\b`")]
    [Arguments("a\\", "trailing backslash at end of expression: ``")]
    [Arguments("[z-a]", "invalid character class range: `z-a`")]
    [Arguments("[[:foo:]]", "invalid character class range: `[:foo:]`")]
    [Arguments("\\pX", "invalid character class range: `\\pX`")]
    [Arguments("\\p{Klingon}", "invalid character class range: `\\p{Klingon}`")]
    [Arguments("\\p{Greek", "invalid character class range: `\\p{Greek`")]
    [Arguments("\\p", "invalid character class range: `\\p`")]
    [Arguments("(?=a)", "invalid or unsupported Perl syntax: `(?=`")]
    [Arguments("(?!a)", "invalid or unsupported Perl syntax: `(?!`")]
    [Arguments("(?P=name)", "invalid or unsupported Perl syntax: `(?P`")]
    [Arguments("(?", "invalid or unsupported Perl syntax: `(?`")]
    [Arguments("(?i", "invalid or unsupported Perl syntax: `(?i`")]
    [Arguments("(?-)", "invalid or unsupported Perl syntax: `(?-)`")]
    [Arguments("(?P<>a)", "invalid named capture: `(?P<>`")]
    [Arguments("(?P<a-b>x)", "invalid named capture: `(?P<a-b>`")]
    [Arguments("(?<=a)", "invalid named capture: `(?<=a)`")]
    public async Task Validate_GoRejectedPattern_GivesGoError(string pattern, string error)
    {
        await Assert.That(RegexSyntax.Validate(pattern)).IsEqualTo("error parsing regexp: " + error);
    }

    [Test]
    public async Task Parse_InvalidRegex_ReportsGoErrorWithPosition()
    {
        await Assert.That(InfluxQLParser.TryParse("SELECT * FROM /(/", out _, out var error)).IsFalse();
        await Assert.That(error!.Text).IsEqualTo("error parsing regexp: missing closing ): `(` at line 1, char 14");
    }
}
