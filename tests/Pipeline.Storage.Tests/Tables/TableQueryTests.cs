using Pipeline.Testing;
using Pipeline.Storage.Tables;

namespace Pipeline.Storage.Tests.Tables;

[Collection(UsesAzurite.Name)]
public class TableQueryTests(AzuriteFixture azurite)
{
    private async Task<TableClient> TableWithRowsAsync(int rows)
    {
        var table = azurite.Account.Tables.GetTableClient(AzuriteFixture.NewTableName("query"));
        await table.CreateAsync();
        foreach (var chunk in Enumerable.Range(0, rows).Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(
                TableTransactionActionType.Add, new TableEntity("day", $"{i:D4}") { ["Value"] = (long)i, ["Note"] = $"n{i}" })));
        }

        return table;
    }

    [Fact]
    public async Task Query_FollowsContinuationAcrossPages()
    {
        var table = await TableWithRowsAsync(250);
        var pageSizes = new List<int>();
        var rowKeys = new List<string>();

        await foreach (var page in table.QueryAsync(TableFilter.Create($"PartitionKey eq {"day"}"), maxPerPage: 60).AsPages())
        {
            pageSizes.Add(page.Values.Count);
            rowKeys.AddRange(page.Values.Select(e => e.RowKey));
        }

        Assert.Equal([60, 60, 60, 60, 10], pageSizes);
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"{i:D4}"), rowKeys);
    }

    [Fact]
    public async Task Query_RangeFilterAndSelect_ReturnOnlyWhatWasAskedFor()
    {
        var table = await TableWithRowsAsync(30);

        var rows = await table.QueryAsync(
            TableFilter.Create($"PartitionKey eq {"day"} and RowKey ge {"0010"} and RowKey lt {"0015"}"),
            select: ["Value"]).ToListAsync();

        Assert.Equal([10L, 11L, 12L, 13L, 14L], rows.Select(r => r.GetInt64("Value")));
        Assert.All(rows, r => Assert.False(r.ContainsKey("Note")));
    }

    [Fact]
    public async Task Query_Top_LimitsTheFirstPage()
    {
        var table = await TableWithRowsAsync(12);

        var firstPage = await table.QueryAsync(maxPerPage: 5).AsPages().FirstAsync();

        Assert.Equal(5, firstPage.Values.Count);
        Assert.NotNull(firstPage.ContinuationToken);
    }

    [Fact]
    public void Filter_QuotesAndEscapesValues()
    {
        var filter = TableFilter.Create($"PartitionKey eq {"O'Brien"} and Count gt {5L} and Flag eq {true}");

        Assert.Equal("PartitionKey eq 'O''Brien' and Count gt 5L and Flag eq true", filter);
    }
}
