using Cronos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Pipeline.Application.Batch;

/// <summary>
/// <c>RecomputeSchedule</c>: when recomputes of views behind the sealed cutoff start, as an NCRONTAB
/// expression with seconds (<c>0 5 * * * *</c>: five past every hour), the format of the Functions timer
/// trigger, which reads the same setting. The dev host follows it too; there an empty value means only on
/// demand.
/// </summary>
public sealed class RecomputeSchedule
{
    /// <summary>The setting's name.</summary>
    public const string Setting = "RecomputeSchedule";

    /// <summary>The schedule when none is set: five past every hour, so the hour before has sealed.</summary>
    public const string Default = "0 5 * * * *";

    private RecomputeSchedule(string? text, CronExpression? expression)
    {
        Text = text;
        Expression = expression;
    }

    /// <summary>The schedule as configured, or null for on demand only.</summary>
    public string? Text { get; }

    /// <summary>The parsed schedule, or null for on demand only.</summary>
    public CronExpression? Expression { get; }

    /// <summary>Reads the setting (missing: <see cref="Default"/>; empty: on demand only).</summary>
    /// <exception cref="OptionsValidationException">The value is not an NCRONTAB expression; the message names the
    /// setting.</exception>
    public static RecomputeSchedule From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[Setting] ?? Default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return new RecomputeSchedule(null, null);
        }

        try
        {
            return new RecomputeSchedule(text.Trim(), CronExpression.Parse(text.Trim(), CronFormat.IncludeSeconds));
        }
        catch (CronFormatException ex)
        {
            throw new OptionsValidationException(
                Setting,
                typeof(RecomputeSchedule),
                [
                    $"{Setting} '{text}' is not an NCRONTAB schedule with seconds, such as '{Default}' (five past "
                        + $"every hour): {ex.Message}",
                ]
            );
        }
    }
}
