using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Pipeline.Application.Storage;
using Pipeline.Storage.Tables;

namespace Pipeline.Application.Audit;

/// <summary>Audit reports, kept per view, newest first.</summary>
public sealed class AuditStore(PipelineStore store)
{
    /// <summary>Keeps a report.</summary>
    public async Task AddAsync(AuditReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var json = JsonSerializer.Serialize(report, ApiJson.Options);
        if (json.Length > 30_000)
        {
            json = JsonSerializer.Serialize(
                report with
                {
                    Mismatches = [.. report.Mismatches.Take(10)],
                    Shortfalls = [.. report.Shortfalls.Take(10)],
                    Problem = $"{report.Problem} (list shortened to fit)".Trim(),
                },
                ApiJson.Options
            );
        }

        var rowKey = StorageLayout.Operations.NewestFirst(report.FinishedAt, report.Audit);
        await store
            .Operations.UpsertEntityAsync(
                new TableEntity(StorageLayout.Operations.AuditPartition(report.View), rowKey)
                {
                    ["Report"] = json,
                    ["Version"] = report.Version,
                    ["Clean"] = report.Clean,
                    ["Cutoff"] = report.Cutoff,
                },
                TableUpdateMode.Replace,
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    /// <summary>The newest reports of a view (of one version, if given).</summary>
    public async Task<IReadOnlyList<AuditReport>> ListAsync(
        string view,
        int? version,
        int max,
        CancellationToken cancellationToken = default
    )
    {
        var reports = new List<AuditReport>();
        await foreach (
            var row in store
                .Operations.QueryAsync<TableEntity>(
                    TableClient.CreateQueryFilter($"PartitionKey eq {StorageLayout.Operations.AuditPartition(view)}"),
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false)
        )
        {
            if (version is null || row.GetInt32("Version") == version)
            {
                reports.Add(JsonSerializer.Deserialize<AuditReport>(row.GetString("Report")!, ApiJson.Options)!);
                if (reports.Count == max)
                {
                    break;
                }
            }
        }

        return reports;
    }
}
