using Pipeline.Testing;
using Azure;
using Pipeline.Storage.Tables;

namespace Pipeline.Storage.Tests.Tables;

[Collection(UsesAzurite.Name)]
public class TableClientTests(AzuriteFixture azurite)
{
    private async Task<TableClient> NewTableAsync()
    {
        var table = azurite.Account.Tables.GetTableClient(AzuriteFixture.NewTableName("crud"));
        await table.CreateAsync();
        return table;
    }

    [Fact]
    public async Task CreateTable_Twice_Is409_AndDeleteRemovesIt()
    {
        var table = await NewTableAsync();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.CreateAsync());
        Assert.Equal(409, error.Status);
        Assert.Equal("TableAlreadyExists", error.ErrorCode);
        Assert.False(await table.CreateIfNotExistsAsync());

        await table.DeleteAsync();
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteAsync());
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task AddAndGet_RoundTripsEveryPropertyType()
    {
        var table = await NewTableAsync();
        var when = new DateTimeOffset(2026, 11, 21, 14, 5, 6, 789, TimeSpan.Zero);
        var id = Guid.NewGuid();
        var entity = new TableEntity("p", "r")
        {
            ["Text"] = "héllo",
            ["Small"] = 42,
            ["Large"] = 9_007_199_254_740_993L,
            ["Ratio"] = 2.0,
            ["Flag"] = true,
            ["When"] = when,
            ["Id"] = id,
            ["State"] = new byte[] { 0, 1, 254, 255 },
        };

        var added = await table.AddEntityAsync(entity);
        var read = (await table.GetEntityAsync("p", "r")).Value;

        Assert.Equal("héllo", read.GetString("Text"));
        Assert.Equal(42, read.GetInt32("Small"));
        Assert.Equal(9_007_199_254_740_993L, read.GetInt64("Large"));
        Assert.Equal(2.0, read.GetDouble("Ratio"));
        Assert.True(read.GetBoolean("Flag"));
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(id, read.GetGuid("Id"));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, read.GetBinary("State"));
        Assert.Equal(added.Headers.ETag, read.ETag);
        Assert.NotNull(read.Timestamp);
    }

    [Fact]
    public async Task Add_ExistingEntity_Is409EntityAlreadyExists()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));

        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
    }

    [Fact]
    public async Task Upsert_MergeKeepsOtherProperties_ReplaceRemovesThem()
    {
        var table = await NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b" }, TableUpdateMode.Replace);

        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["B"] = "b2" }, TableUpdateMode.Merge);
        var merged = (await table.GetEntityAsync("p", "r")).Value;
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["C"] = "c" }, TableUpdateMode.Replace);
        var replaced = (await table.GetEntityAsync("p", "r")).Value;

        Assert.Equal(("a", "b2"), (merged.GetString("A"), merged.GetString("B")));
        Assert.Equal(["C"], replaced.Keys);
    }

    [Fact]
    public async Task Update_WithStaleETag_Is412_AndWithCurrentETagSucceeds()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["Count"] = 1L });
        var original = (await table.GetEntityAsync("p", "r")).Value;
        var updated = await table.UpdateEntityAsync(new TableEntity("p", "r") { ["Count"] = 2L }, original.ETag, TableUpdateMode.Replace);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            table.UpdateEntityAsync(new TableEntity("p", "r") { ["Count"] = 3L }, original.ETag, TableUpdateMode.Replace));

        Assert.Equal(412, error.Status);
        Assert.Equal("UpdateConditionNotSatisfied", error.ErrorCode);
        var current = (await table.GetEntityAsync("p", "r")).Value;
        Assert.Equal(2L, current.GetInt64("Count"));
        Assert.Equal(updated.Headers.ETag, current.ETag);
    }

    [Fact]
    public async Task Update_OfMissingEntity_Is404()
    {
        var table = await NewTableAsync();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(new TableEntity("p", "none"), ETag.All));

        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task Delete_WithStaleETag_Is412_AndMissingEntityIsNoError()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 });
        var stale = (await table.GetEntityAsync("p", "r")).Value.ETag;
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["V"] = 2 });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync("p", "r", stale));
        Assert.Equal(412, error.Status);

        await table.DeleteEntityAsync("p", "r");
        await table.DeleteEntityAsync("p", "r");
        Assert.Null(await table.GetEntityIfExistsAsync("p", "r"));
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityAsync("p", "r"));
        Assert.Equal(404, missing.Status);
        Assert.Equal("ResourceNotFound", missing.ErrorCode);
    }

    [Fact]
    public async Task UnicodeAndQuotedKeys_RoundTrip()
    {
        var table = await NewTableAsync();
        var entity = new TableEntity("café-日本-ü", "O'Brien 😀 %20 + &") { ["V"] = "x" };

        await table.AddEntityAsync(entity);
        var read = (await table.GetEntityAsync(entity.PartitionKey, entity.RowKey)).Value;
        var queried = await table.QueryAsync(TableFilter.Create($"PartitionKey eq {entity.PartitionKey} and RowKey eq {entity.RowKey}")).ToListAsync();

        Assert.Equal((entity.PartitionKey, entity.RowKey), (read.PartitionKey, read.RowKey));
        Assert.Single(queried);
    }
}
