using System.Text;
using Pipeline.Domain.Events;

namespace Pipeline.Domain.Tests.Events;

public class Rfc3339Tests
{
    [Theory]
    [InlineData("2026-11-21T14:05:00Z", "2026-11-21T14:05:00.0000000+00:00")]
    [InlineData("2026-11-21t14:05:00z", "2026-11-21T14:05:00.0000000+00:00")]
    [InlineData("2026-11-21T14:05:00.123456789Z", "2026-11-21T14:05:00.1234567+00:00")]
    [InlineData("2026-11-21T01:00:00+02:00", "2026-11-20T23:00:00.0000000+00:00")]
    [InlineData("2026-11-21T23:30:00-01:30", "2026-11-22T01:00:00.0000000+00:00")]
    [InlineData("2024-02-29T00:00:00Z", "2024-02-29T00:00:00.0000000+00:00")]
    public void TryParse_ValidTimestamp_GivesUtcInstant(string text, string expected)
    {
        Assert.True(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2026-11-21")]
    [InlineData("2026-11-21 14:05:00Z")]
    [InlineData("2026-11-21T14:05:00")]
    [InlineData("2026-11-21T14:05:00.Z")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2025-02-29T00:00:00Z")]
    [InlineData("2026-11-21T24:00:00Z")]
    [InlineData("2026-11-21T23:59:60Z")]
    [InlineData("2026-11-21T14:05:00+2:00")]
    [InlineData("2026-11-21T14:05:00+24:00")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("2026-11-21T14:05:00Zjunk")]
    public void TryParse_InvalidTimestamp_IsRefused(string text)
    {
        Assert.False(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }
}
