using System.Text;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Tests.Events;

/// <summary>Bytes that are not UTF-8 would decode to U+FFFD, so different subjects or keys would read as one.</summary>
public class CloudEventParserUtf8Tests
{
    private static byte[] WithRawBytes(string before, byte[] raw, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. raw, .. Encoding.UTF8.GetBytes(after)];

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded surrogate
    [InlineData(new byte[] { 0xC0, 0xAF })] // an overlong '/'
    public void InvalidUtf8_InTheSubjectOrAKeyField_IsRefusedWithTheOffset(byte[] raw)
    {
        var inSubject = WithRawBytes(
            """{"specversion":"1.0","id":"1","source":"/s","type":"page.view","subject":"u""",
            raw,
            "\"}"
        );
        var inPage = WithRawBytes(
            """{"specversion":"1.0","id":"1","source":"/s","type":"page.view","data":{"page":"/p""",
            raw,
            "\"}}"
        );

        foreach (var body in new[] { inSubject, inPage })
        {
            Assert.False(CloudEventParser.TryParse(body, TestEvents.Enqueued, out _, out var rejection));
            Assert.Equal(RejectionReason.InvalidUtf8, rejection.Reason);
            Assert.Contains("not valid UTF-8", rejection.Message, StringComparison.Ordinal);
            Assert.Contains($"offset {Array.IndexOf(body, raw[0])}", rejection.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("\"subject\":\"a\\ud800b\"")]
    [InlineData("\"data\":{\"page\":\"/x\\udc00\"}")]
    [InlineData("\"data\":{\"\\ud800\":1}")]
    public void AnEscapedLoneSurrogate_IsRefused_NotThrown(string member)
    {
        var body = Encoding.UTF8.GetBytes(
            $$"""{"specversion":"1.0","id":"1","source":"/s","type":"page.view",{{member}}}"""
        );

        Assert.False(CloudEventParser.TryParse(body, TestEvents.Enqueued, out _, out var rejection));
        Assert.Equal(RejectionReason.InvalidUtf8, rejection.Reason);
        Assert.Contains("lone UTF-16 surrogate", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidMultiByteUtf8_AndEscapedPairs_AreAccepted()
    {
        Assert.True(
            CloudEventParser.TryParse(
                Encoding.UTF8.GetBytes(
                    """{"specversion":"1.0","id":"1","source":"/s","type":"page.view","subject":"Zoë ☃ 🎉"}"""
                ),
                TestEvents.Enqueued,
                out _,
                out _
            )
        );
        Assert.True(
            CloudEventParser.TryParse(
                Encoding.UTF8.GetBytes(
                    """{"specversion":"1.0","id":"1","source":"/s","type":"page.view","subject":"\ud83c\udf89","data":{"page":"/\u00e9"}}"""
                ),
                TestEvents.Enqueued,
                out _,
                out _
            )
        );
    }
}
