using System.Globalization;

namespace Pipeline.Storage.Tables;

/// <summary>Builds OData <c>$filter</c> expressions with values quoted and escaped safely.</summary>
public static class TableFilter
{
    /// <summary>
    /// Formats a filter such as <c>$"PartitionKey eq {pk} and RowKey ge {from}"</c>: strings are quoted
    /// with embedded quotes doubled; numbers, booleans, dates and GUIDs get their OData literal forms.
    /// </summary>
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var arguments = filter.GetArguments().Select(Literal).ToArray();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, arguments);
    }

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => $"'{s.Replace("'", "''", StringComparison.Ordinal)}'",
        bool b => b ? "true" : "false",
        long l => $"{l.ToString(CultureInfo.InvariantCulture)}L",
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset t => $"datetime'{t.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'}'",
        Guid g => $"guid'{g}'",
        _ => throw new ArgumentException($"cannot put a {value.GetType().Name} into a table filter"),
    };
}
