namespace Cairn.Storage.LineProtocol;

/// <summary>
/// Why a line was rejected. Each member documents the reason text InfluxDB 1.x puts after
/// <c>unable to parse '&lt;line&gt;': </c>, and where in InfluxDB it comes from (models/points.go unless
/// said otherwise). Callers branch on this code, never on the text.
/// </summary>
public enum ParseErrorKind : byte
{
    /// <summary>The line parsed.</summary>
    None = 0,

    /// <summary><c>missing measurement</c> (scanMeasurement: the line starts with a comma).</summary>
    MissingMeasurement,

    /// <summary><c>missing fields</c> (scanMeasurement, scanTagsValue: the line ends inside the key).</summary>
    MissingFields,

    /// <summary><c>missing tag key</c> (scanTagsKey).</summary>
    MissingTagKey,

    /// <summary><c>missing tag value</c> (scanTagsKey, scanTagsValue; empty tag values are errors).</summary>
    MissingTagValue,

    /// <summary><c>invalid tag format</c> (scanTagsValue: unescaped <c>=</c> in a tag value).</summary>
    InvalidTagFormat,

    /// <summary><c>duplicate tags</c> (scanKey).</summary>
    DuplicateTags,

    /// <summary>
    /// <c>max key length exceeded: N &gt; 65535</c> (parsePoint): the escaped series key, or the series key
    /// plus 4 plus the escaped field key (seriesKeySize), is longer than MaxKeyLength.
    /// </summary>
    MaxKeyLengthExceeded,

    /// <summary><c>missing field key</c> (scanFields).</summary>
    MissingFieldKey,

    /// <summary><c>missing field value</c> (scanFields).</summary>
    MissingFieldValue,

    /// <summary><c>unbalanced quotes</c> (scanFields).</summary>
    UnbalancedQuotes,

    /// <summary><c>invalid field format</c> (scanFields: keys and values do not pair up).</summary>
    InvalidFieldFormat,

    /// <summary><c>invalid value: field-key=K</c> (walkFields: a field key with no value after it).</summary>
    InvalidFieldValue,

    /// <summary>
    /// <c>invalid number</c> (scanNumber, ErrInvalidNumber): malformed numbers, NaN, <c>-Inf</c>, and
    /// <c>123u</c> while unsigned support is off.
    /// </summary>
    InvalidNumber,

    /// <summary><c>invalid boolean</c> (scanBoolean; also <c>Inf</c>, which is not a number there).</summary>
    InvalidBoolean,

    /// <summary><c>invalid float</c> (scanNumber: exponent syntax or ±Inf after rounding).</summary>
    InvalidFloat,

    /// <summary>
    /// <c>unable to parse integer D: strconv.ParseInt: parsing "D": value out of range</c> (scanNumber).
    /// </summary>
    IntegerOutOfRange,

    /// <summary>
    /// <c>unable to parse unsigned D: strconv.ParseUint: parsing "D": value out of range</c> (scanNumber).
    /// </summary>
    UnsignedOutOfRange,

    /// <summary><c>bad timestamp</c> (scanTime: not an integer).</summary>
    BadTimestamp,

    /// <summary><c>strconv.ParseInt: parsing "-": invalid syntax</c> (parsePoint: a lone minus sign).</summary>
    TimestampSyntax,

    /// <summary><c>strconv.ParseInt: parsing "T": value out of range</c> (parsePoint: not an int64).</summary>
    TimestampOverflow,

    /// <summary>
    /// <c>time outside range -9223372036854775806 - 9223372036854775806</c> (models/time.go
    /// ErrTimeOutOfRange, from SafeCalcTime and CheckTime; the same text whatever the precision).
    /// </summary>
    TimeOutOfRange,

    /// <summary><c>point is invalid</c> (parsePoint, ErrInvalidPoint: text after the timestamp).</summary>
    InvalidPoint,
}
