using System.Text;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Tests.Events;

public class CloudEventParserTests
{
    private static readonly DateTimeOffset Enqueued = new(2026, 11, 21, 9, 30, 0, TimeSpan.Zero);

    private static bool Parse(string json, out CloudEvent cloudEvent, out EventRejection rejection) =>
        CloudEventParser.TryParse(Encoding.UTF8.GetBytes(json), Enqueued, out cloudEvent, out rejection);

    [Fact]
    public void TryParse_CompleteEvent_ExposesEveryAttribute()
    {
        const string json =
            """{"specversion":"1.0","id":"e-1","source":"/shop","type":"order.placed","subject":"user-7","time":"2026-11-20T23:59:59.5+01:00","data":{"amount":12.50}}""";

        Assert.True(Parse(json, out var e, out _));

        Assert.Equal("e-1", e.IdString);
        Assert.Equal("/shop", e.SourceString);
        Assert.Equal("order.placed", e.TypeString);
        Assert.Equal("user-7", e.SubjectString);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 22, 59, 59, 500, TimeSpan.Zero), e.Time);
        Assert.False(e.TimeIsEnqueuedTime);
        Assert.Equal("""{"amount":12.50}""", Encoding.UTF8.GetString(e.Data));
    }

    [Fact]
    public void TryParse_WithoutTime_UsesEnqueuedTimeAndSaysSo()
    {
        Assert.True(Parse("""{"specversion":"1.0","id":"1","source":"s","type":"t"}""", out var e, out _));

        Assert.Equal(Enqueued, e.Time);
        Assert.True(e.TimeIsEnqueuedTime);
        Assert.False(e.HasSubject);
        Assert.True(e.Data.IsEmpty);
    }

    [Fact]
    public void TryParse_EscapedValues_AreUnescaped()
    {
        Assert.True(
            Parse(
                """{"specversion":"1.0","id":"a\"b","source":"caf\u00e9","type":"t","subject":"\u00fcber"}""",
                out var e,
                out _
            )
        );

        Assert.Equal("a\"b", e.IdString);
        Assert.Equal("café", e.SourceString);
        Assert.Equal("über", e.SubjectString);
    }

    [Fact]
    public void TryParse_ExtensionAttributesAndNullData_AreAccepted()
    {
        Assert.True(
            Parse(
                """{"specversion":"1.0","id":"1","source":"s","type":"t","traceparent":"00-ab","ext":{"x":[1,2]},"data":null}""",
                out var e,
                out _
            )
        );

        Assert.True(e.Data.IsEmpty);
    }

    [Theory]
    [InlineData("""{"id":"1","source":"s","type":"t"}""", RejectionReason.MissingAttribute, "specversion")]
    [InlineData("""{"specversion":"1.0","source":"s","type":"t"}""", RejectionReason.MissingAttribute, "'id'")]
    [InlineData("""{"specversion":"1.0","id":"1","type":"t"}""", RejectionReason.MissingAttribute, "'source'")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"s"}""", RejectionReason.MissingAttribute, "'type'")]
    [InlineData(
        """{"specversion":"0.3","id":"1","source":"s","type":"t"}""",
        RejectionReason.UnsupportedSpecVersion,
        "1.0"
    )]
    [InlineData(
        """{"specversion":"1.0","id":1,"source":"s","type":"t"}""",
        RejectionReason.InvalidAttribute,
        "'id' must be a string"
    )]
    [InlineData(
        """{"specversion":"1.0","id":"","source":"s","type":"t"}""",
        RejectionReason.InvalidAttribute,
        "'id' must not be empty"
    )]
    [InlineData(
        """{"specversion":"1.0","id":"1","source":"s","type":"t","subject":null}""",
        RejectionReason.InvalidAttribute,
        "'subject'"
    )]
    [InlineData(
        """{"specversion":"1.0","id":"1","id":"2","source":"s","type":"t"}""",
        RejectionReason.InvalidAttribute,
        "more than once"
    )]
    [InlineData(
        """{"specversion":"1.0","id":"1","source":"s","type":"t","time":"yesterday"}""",
        RejectionReason.InvalidTime,
        "RFC 3339"
    )]
    [InlineData(
        """{"specversion":"1.0","id":"1","source":"s","type":"t","time":"2026-02-30T00:00:00Z"}""",
        RejectionReason.InvalidTime,
        "RFC 3339"
    )]
    [InlineData(
        """{"specversion":"1.0","id":"1","source":"s","type":"t"} trailing""",
        RejectionReason.InvalidJson,
        "invalid JSON"
    )]
    [InlineData("""{"specversion":"1.0","id":"1",""", RejectionReason.InvalidJson, "invalid JSON")]
    [InlineData("""[{"specversion":"1.0"}]""", RejectionReason.InvalidJson, "must be a JSON object")]
    [InlineData("", RejectionReason.InvalidJson, "invalid JSON")]
    [InlineData("not json", RejectionReason.InvalidJson, "invalid JSON")]
    public void TryParse_BadEvent_GivesPreciseReason(string json, RejectionReason reason, string messagePart)
    {
        Assert.False(Parse(json, out _, out var rejection));

        Assert.Equal(reason, rejection.Reason);
        Assert.Contains(messagePart, rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_OverOneMebibyte_IsOversize()
    {
        var padding = new string('x', CloudEventParser.MaxEventBytes);
        Assert.False(
            Parse(
                $$"""{"specversion":"1.0","id":"1","source":"s","type":"t","data":"{{padding}}"}""",
                out _,
                out var rejection
            )
        );

        Assert.Equal(RejectionReason.Oversize, rejection.Reason);
        Assert.Contains("1 MiB", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_JustUnderOneMebibyte_IsAccepted()
    {
        var prefix = """{"specversion":"1.0","id":"1","source":"s","type":"t","data":" """.TrimEnd();
        var padding = new string('x', CloudEventParser.MaxEventBytes - prefix.Length - 2);
        var json = prefix + padding + "\"}";

        Assert.Equal(CloudEventParser.MaxEventBytes, Encoding.UTF8.GetByteCount(json));
        Assert.True(Parse(json, out _, out _));
    }

    [Fact]
    public void TryParse_ValidEvent_AllocatesNothing()
    {
        var utf8 = Encoding.UTF8.GetBytes(
            """{"specversion":"1.0","id":"e-1","source":"/web","type":"page.view","subject":"u-1","time":"2026-11-21T10:00:00Z","data":{"page":"/"}}"""
        );
        CloudEventParser.TryParse(utf8, Enqueued, out _, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            CloudEventParser.TryParse(utf8, Enqueued, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
