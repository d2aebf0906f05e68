using System.Diagnostics;
using DuckDB.NET.Data;

namespace Pipeline.Benchmarks;

/// <summary>
/// The recompute benchmark's peer: DuckDB (in process, through DuckDB.NET) computing the pipeline's views
/// from the raw log's NDJSON.gz copies on local disk, with the same de-duplication (by partition and
/// sequence number, then by source and id).
/// </summary>
internal static class DuckDbPeer
{
    private const string Day = "strftime(CAST(e->>'time' AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%d')";

    /// <summary>Runs one query per view; returns each view's seconds.</summary>
    public static async Task<Dictionary<string, double>> RunAsync(string copies)
    {
        var source =
            $"read_json('{copies}/**/*.ndjson.gz', format='newline_delimited', compression='gzip', columns={{p: "
            + $"'INTEGER', s: 'BIGINT', t: 'VARCHAR', e: 'JSON'}})";
        var deduplicated =
            $"(SELECT * FROM (SELECT DISTINCT ON (p, s) p, s, e FROM {source}) QUALIFY row_number() OVER (PARTITION "
            + $"BY e->>'source', e->>'id' ORDER BY p, s) = 1)";
        var views = new Dictionary<string, string>
        {
            ["new-users"] =
                $"SELECT {Day} AS k, count(*) AS v, count(*) AS n FROM {deduplicated} WHERE e->>'type' = "
                + $"'user.signup' GROUP BY k",
            ["new-users-v2"] =
                $"SELECT {Day} AS k, count(*) AS v, count(*) AS n FROM {deduplicated} WHERE e->>'type' = "
                + $"'user.signup' AND coalesce(e->'data'->>'plan', '') <> 'test' GROUP BY k",
            ["active-users"] =
                $"SELECT {Day} AS k, count(DISTINCT e->>'subject') AS v, count(*) AS n FROM {deduplicated} WHERE "
                + $"e->>'subject' IS NOT NULL GROUP BY k",
            ["revenue"] =
                $"SELECT {Day} AS k, sum(CAST(e->'data'->>'amount' AS DECIMAL(38, 10))) AS v, count(*) AS n FROM "
                + $"{deduplicated} WHERE e->>'type' = 'order.placed' GROUP BY k",
            ["page-views"] =
                "SELECT strftime(CAST(e->>'time' AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%dT%H') || '|' || "
                + "(e->'data'->>'page') AS k, count(*) AS v, count(*) AS n "
                + $"FROM {deduplicated} WHERE e->>'type' = 'page.view' GROUP BY k",
        };

        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync();
        await using (var timeZone = connection.CreateCommand())
        {
            timeZone.CommandText = "SET TimeZone = 'UTC'";
            await timeZone.ExecuteNonQueryAsync();
        }

        var seconds = new Dictionary<string, double>();
        foreach (var (view, sql) in views)
        {
            var watch = Stopwatch.StartNew();
            await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The SQL is this benchmark's own text; only the folder of copies is interpolated.
            command.CommandText = $"SELECT count(*) AS keys, CAST(sum(n) AS BIGINT) AS events FROM ({sql})";
#pragma warning restore CA2100
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            var keys = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
            var events = Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
            seconds[view] = watch.Elapsed.TotalSeconds;
            Console.WriteLine($"  DuckDB {view}: {seconds[view]:N1} s, {events:N0} events, {keys:N0} keys");
        }

        return seconds;
    }
}
