using System.Buffers;
using System.Text;
using Pipeline.Application.Ingest;
using Pipeline.Application.RawLog;
using Pipeline.Application.Storage;

namespace Pipeline.Application.Tests;

public class FormatTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("/p/a?b#c\\d")]
    [InlineData("100% | a@b.c")]
    [InlineData("tab\tnew\nline \u0001 ü 日本")]
    public void KeyEncoding_RoundTrips_AndLeavesNoForbiddenCharacter(string value)
    {
        var encoded = KeyEncoding.Encode(value);

        Assert.Equal(value, KeyEncoding.Decode(encoded));
        Assert.True(Pipeline.Storage.Tables.TableKeys.IsValid(encoded, out var error), error);
        Assert.DoesNotContain('|', encoded);
        Assert.DoesNotContain('@', encoded);
    }

    [Fact]
    public void RawRecord_RoundTrips_AndKeepsOneEventPerLine()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var enqueued = new DateTimeOffset(2026, 11, 21, 14, 5, 6, TimeSpan.Zero).AddTicks(1234567);
        RawRecordFormat.Write(buffer, 7, 123_456_789_012, enqueued, "{\r\n \"id\": \"a\\nb\"\n}"u8);

        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        var record = RawRecordFormat.Read(buffer.WrittenMemory[..^1]);

        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.Equal((7, 123_456_789_012L, enqueued), (record.Partition, record.SequenceNumber, record.EnqueuedTime));
        Assert.Equal("{   \"id\": \"a\\nb\" }", Encoding.UTF8.GetString(record.Event.Span));
    }

    [Fact]
    public void RawSegmentNames_AreSortableAndParseBack()
    {
        var name = RawSegments.Name(498_687, 3, 10, 250);

        Assert.Equal("000000498687/0003/00000000000000000010-00000000000000000250.ndjson.gz", name);
        Assert.True(RawSegments.TryParse(name, out var epoch, out var partition, out var first, out var last));
        Assert.Equal((498_687L, 3, 10L, 250L), (epoch, partition, first, last));
        Assert.StartsWith(RawSegments.PartitionPrefix(498_687, 3), name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(498_687, 498_687, new[] { "000000498687" })]
    [InlineData(
        498_687,
        498_712,
        new[]
        {
            "000000498687",
            "000000498688",
            "000000498689",
            "00000049869",
            "00000049870",
            "000000498710",
            "000000498711",
            "000000498712",
        }
    )]
    [InlineData(0, 999_999_999_999, new[] { "" })]
    [InlineData(1_000, 2_999, new[] { "000000001", "000000002" })]
    public void EpochRangePrefixes_CoverExactlyTheRange(long first, long last, string[] expected)
    {
        Assert.Equal(expected, RawSegments.EpochRangePrefixes(first, last));
    }

    [Fact]
    public void EpochRangePrefixes_ForAnyRange_MatchEachEpochInsideAndNoneOutside()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var first = (long)random.Next(0, 100_000);
            var last = first + random.Next(0, 50_000);
            var prefixes = RawSegments.EpochRangePrefixes(first, last).ToList();
            Assert.True(prefixes.Count <= 12 * 18, $"{prefixes.Count} prefixes");
            foreach (
                var probe in new[] { first - 1, first, (first + last) / 2, last, last + 1, random.Next(0, 200_000) }
            )
            {
                var name = RawSegments.Name(probe, 0, 0, 0);
                Assert.Equal(
                    probe >= first && probe <= last,
                    prefixes.Count(p => name.StartsWith(p, StringComparison.Ordinal)) == 1
                );
            }
        }
    }

    [Theory]
    [InlineData("[{\"a\":1},{\"b\":[2,3]}, 4]", 3)]
    [InlineData("{\"a\":1}\n{\"b\":2}\r\n\n{broken\n", 3)]
    [InlineData("  \n{\"only\":1}", 1)]
    public void Splitter_FindsEachEvent(string body, int count)
    {
        Assert.True(EventBodySplitter.TrySplit(Encoding.UTF8.GetBytes(body), out var events, out var error), error);

        Assert.Equal(count, events.Count);
        Assert.DoesNotContain(events, e => e.Span.IndexOfAny("\r\n"u8) >= 0);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n ", "empty")]
    [InlineData("[{\"a\":1},", "not valid JSON")]
    [InlineData("hello\nworld", "neither")]
    public void Splitter_RefusesBodiesThatAreNotJsonOrNdjson(string body, string reason)
    {
        Assert.False(EventBodySplitter.TrySplit(Encoding.UTF8.GetBytes(body), out var events, out var error));

        Assert.Empty(events);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
