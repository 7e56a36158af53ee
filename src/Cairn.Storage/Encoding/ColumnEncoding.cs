namespace Cairn.Storage.Encoding;

/// <summary>
/// The first byte of every encoded column: <see cref="ColumnType"/> in the upper nibble, the
/// algorithm in the lower nibble. A new algorithm is a new value here; old values stay readable
/// forever. docs/formats/encodings.md has the byte layout behind each value.
/// </summary>
public enum ColumnEncoding : byte
{
    FloatRaw = 0x10,
    FloatGorilla = 0x11,
    FloatDecimal = 0x12,

    IntegerRaw = 0x20,
    IntegerRunLength = 0x21,
    IntegerSimple8b = 0x22,
    IntegerZstd = 0x23,
    IntegerHuffman = 0x24,

    UnsignedRaw = 0x30,
    UnsignedRunLength = 0x31,
    UnsignedSimple8b = 0x32,
    UnsignedZstd = 0x33,
    UnsignedHuffman = 0x34,

    BooleanBitPacked = 0x40,
    BooleanConstant = 0x41,

    StringRaw = 0x50,
    StringZstd = 0x51,

    TimestampRaw = 0x60,
    TimestampRunLength = 0x61,
    TimestampDeltaOfDelta = 0x62,
    TimestampDelta = 0x63,
    TimestampDeltaOfDeltaHuffman = 0x64,
}
