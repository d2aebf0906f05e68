using System.Buffers;
using System.Text;
using Pipeline.Application.Api;
using Pipeline.Application.Ingest;
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
