using Pipeline.Testing;
using Azure;
using Pipeline.Storage.Tables;

namespace Pipeline.Storage.Tests.Tables;

[Collection(UsesAzurite.Name)]
public class TableTransactionTests(AzuriteFixture azurite)
{
    private async Task<TableClient> NewTableAsync()
    {
        var table = azurite.Account.Tables.GetTableClient(AzuriteFixture.NewTableName("batch"));
        await table.CreateAsync();
        return table;
    }

    private static TableTransactionAction Upsert(string pk, int i) =>
        new(TableTransactionActionType.UpsertReplace, new TableEntity(pk, $"r{i:D3}") { ["N"] = i });

    [Fact]
    public async Task Transaction_OfOneHundredActions_AppliesThemAll()
    {
        var table = await NewTableAsync();

        var result = await table.SubmitTransactionAsync(Enumerable.Range(0, 100).Select(i => Upsert("p", i)));

        Assert.Equal(100, result.Value.Count);
        Assert.All(result.Value, r => Assert.NotNull(r.Headers.ETag));
        Assert.Equal(100, await table.QueryAsync().CountAsync());
    }

    [Fact]
    public async Task Transaction_ReturnsETagsThatConditionLaterUpdates()
    {
        var table = await NewTableAsync();
        var result = await table.SubmitTransactionAsync([Upsert("p", 1)]);
        var etag = result.Value[0].Headers.ETag!.Value;

        await table.UpdateEntityAsync(new TableEntity("p", "r001") { ["N"] = 2 }, etag);

        Assert.Equal(2, (await table.GetEntityAsync("p", "r001")).Value.GetInt32("N"));
    }

    [Fact]
    public async Task FailingTransaction_NamesTheFailingAction_AndAppliesNothing()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r057"));
        var actions = Enumerable.Range(0, 100)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D3}")))
            .ToList();

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(actions));

        Assert.Equal(57, error.FailedTransactionActionIndex);
        Assert.Equal("r057", error.FailedAction?.Entity.RowKey);
        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.Contains("action 57", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await table.QueryAsync().CountAsync());
    }

    [Fact]
    public async Task TransactionDelete_OfMissingEntity_FailsTheTransaction()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r000"));

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "r000") { ["N"] = 1 }),
            new(TableTransactionActionType.Delete, new TableEntity("p", "missing")),
        ]));

        Assert.Equal(404, error.Status);
        Assert.Equal(1, error.FailedTransactionActionIndex);
        Assert.Null((await table.GetEntityAsync("p", "r000")).Value.GetInt32("N"));
    }

    [Fact]
    public async Task Transaction_OverOneHundredActions_IsRefusedBeforeAnyRequest()
    {
        var table = azurite.Account.Tables.GetTableClient("neverCreated");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(Enumerable.Range(0, 101).Select(i => Upsert("p", i))));

        Assert.Contains("1 to 100 actions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transaction_MixingPartitionKeys_IsRefusedBeforeAnyRequest()
    {
        var table = azurite.Account.Tables.GetTableClient("neverCreated");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([Upsert("a", 1), Upsert("b", 2)]));

        Assert.Contains("one PartitionKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transaction_TouchingOneEntityTwice_IsRefusedBeforeAnyRequest()
    {
        var table = azurite.Account.Tables.GetTableClient("neverCreated");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([Upsert("a", 1), Upsert("a", 1)]));

        Assert.Contains("repeats RowKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transaction_UpdateAtStaleETag_FailsTheTransaction()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["N"] = 1 });
        var stale = (await table.GetEntityAsync("p", "r")).Value.ETag;
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["N"] = 2 });

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
            [new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "r") { ["N"] = 3 }, stale)]));

        Assert.Equal(412, error.Status);
        Assert.Equal(2, (await table.GetEntityAsync("p", "r")).Value.GetInt32("N"));
    }
}
