using System.Diagnostics;
using DuckDB.NET.Data;
using Pipeline.Domain.Views.Specs;

namespace Pipeline.Benchmarks;

/// <summary>
/// The recompute benchmark's peer: DuckDB (in process, through DuckDB.NET) computing the pipeline's views
/// from the raw log's NDJSON.gz copies on local disk, with the same de-duplication (by partition and
/// sequence number, then by source and id), each view's query derived from its spec (<see cref="SpecSql"/>).
/// </summary>
internal static class DuckDbPeer
{
    /// <summary>Runs one query per view version, each derived from its spec; returns each one's seconds by name
    /// (<c>new-users</c>, <c>new-users-v2</c>).</summary>
    public static async Task<Dictionary<string, double>> RunAsync(string copies, IEnumerable<ViewSpec> specs)
    {
        var source =
            $"read_json('{copies}/**/*.ndjson.gz', format='newline_delimited', compression='gzip', columns={{p: "
            + $"'INTEGER', s: 'BIGINT', t: 'VARCHAR', e: 'JSON'}})";
        var deduplicated =
            $"(SELECT * FROM (SELECT DISTINCT ON (p, s) p, s, t, e FROM {source}) QUALIFY row_number() OVER (PARTITION "
            + $"BY e->>'source', e->>'id' ORDER BY p, s) = 1)";
        var views = specs.ToDictionary(
            spec => spec.Version == 1 ? spec.Name : $"{spec.Name}-v{spec.Version}",
            spec => SpecSql.Query(spec, deduplicated)
        );

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
