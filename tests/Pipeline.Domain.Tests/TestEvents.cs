using System.Text;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Tests;

/// <summary>Builds parsed events for tests.</summary>
internal static class TestEvents
{
    public static readonly DateTimeOffset Enqueued = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public static CloudEvent Parse(string json, DateTimeOffset? enqueued = null)
    {
        if (
            !CloudEventParser.TryParse(Encoding.UTF8.GetBytes(json), enqueued ?? Enqueued, out var e, out var rejection)
        )
        {
            throw new InvalidOperationException($"test event refused: {rejection}");
        }

        return e;
    }

    public static CloudEvent Make(
        string type,
        string? subject = null,
        string? time = "2026-11-21T10:00:00Z",
        string? data = null,
        string id = "1",
        string source = "/test"
    )
    {
        var json = new StringBuilder(
            $$"""{"specversion":"1.0","id":"{{id}}","source":"{{source}}","type":"{{type}}" """.TrimEnd()
        );
        if (subject is not null)
        {
            json.Append($$""","subject":"{{subject}}" """.TrimEnd());
        }

        if (time is not null)
        {
            json.Append($$""","time":"{{time}}" """.TrimEnd());
        }

        if (data is not null)
        {
            json.Append(",\"data\":").Append(data);
        }

        return Parse(json.Append('}').ToString());
    }
}
