using Microsoft.Extensions.Options;

namespace Pipeline.DevHost;

/// <summary>The one line that tells why the dev host could not start, for the failures a user can fix.</summary>
internal static class StartupFailure
{
    public static string? Describe(Exception exception) =>
        exception switch
        {
            AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
            OptionsValidationException invalid => string.Join("; ", invalid.Failures),
            IOException io when io.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase) =>
                $"{io.Message.TrimEnd('.')} (another process listens there: stop it, or set ASPNETCORE_URLS to "
                    + $"another address)",
            FileNotFoundException missing => missing.Message,
            InvalidOperationException invalid => invalid.Message,
            FormatException format => $"a setting has the wrong format: {format.Message}",
            _ => null,
        };
}
