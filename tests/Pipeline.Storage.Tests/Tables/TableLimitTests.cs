using Pipeline.Testing;
using Pipeline.Storage.Tables;

namespace Pipeline.Storage.Tests.Tables;

[Collection(UsesAzurite.Name)]
public class TableLimitTests(AzuriteFixture azurite)
{
    /// <summary>A client whose endpoint has no server: any request would fail with a transport error, not an ArgumentException.</summary>
    private static readonly TableClient Unreachable = new TableServiceClient(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Pipeline.Storage.Core.StorageConnectionString.DevelopmentAccountKey +
        ";TableEndpoint=http://127.0.0.1:1/devstoreaccount1").GetTableClient("unreachable");

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("tab\there")]
    [InlineData("del\u007F")]
    [InlineData("c1\u0085")]
    public async Task InvalidKey_IsRefusedBeforeAnyRequest(string key)
    {
        var asPartition = await Assert.ThrowsAsync<ArgumentException>(() => Unreachable.AddEntityAsync(new TableEntity(key, "r")));
        var asRow = await Assert.ThrowsAsync<ArgumentException>(() => Unreachable.GetEntityAsync("p", key));

        Assert.Contains("key", asPartition.Message, StringComparison.Ordinal);
        Assert.Contains("key", asRow.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyOverOneKibibyte_IsRefused_AndOneKibibyteIsStored()
    {
        var tooLong = new string('k', TableKeys.MaxKeyCharacters + 1);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Unreachable.UpsertEntityAsync(new TableEntity("p", tooLong)));
        Assert.Contains("1 KiB", error.Message, StringComparison.Ordinal);

        var table = azurite.Account.Tables.GetTableClient(AzuriteFixture.NewTableName("limits"));
        await table.CreateAsync();
        var longest = new string('k', TableKeys.MaxKeyCharacters);
        await table.UpsertEntityAsync(new TableEntity(longest, longest));
        Assert.NotNull(await table.GetEntityIfExistsAsync(longest, longest));
    }

    [Fact]
    public async Task BinaryPropertyOf64KiB_IsStored_AndOneByteMoreIsRefused()
    {
        var table = azurite.Account.Tables.GetTableClient(AzuriteFixture.NewTableName("limits"));
        await table.CreateAsync();
        var largest = new byte[TableKeys.MaxPropertyBytes];
        new Random(3).NextBytes(largest);

        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["State"] = largest });
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            table.UpsertEntityAsync(new TableEntity("p", "r2") { ["State"] = new byte[TableKeys.MaxPropertyBytes + 1] }));

        Assert.Equal(largest, (await table.GetEntityAsync("p", "r")).Value.GetBinary("State"));
        Assert.Contains("64 KiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StringPropertyOver64KiB_IsRefused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Unreachable.UpsertEntityAsync(new TableEntity("p", "r") { ["Text"] = new string('x', 32 * 1024 + 1) }));

        Assert.Contains("64 KiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EntityOverOneMebibyte_IsRefused()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 16; i++)
        {
            entity[$"Part{i}"] = new byte[TableKeys.MaxPropertyBytes];
        }

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Unreachable.UpsertEntityAsync(entity));

        Assert.Contains("1 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyProperties_AndBadPropertyNames_AreRefused()
    {
        var crowded = new TableEntity("p", "r");
        for (var i = 0; i <= TableKeys.MaxCustomProperties; i++)
        {
            crowded[$"P{i}"] = i;
        }

        await Assert.ThrowsAsync<ArgumentException>(() => Unreachable.UpsertEntityAsync(crowded));
        await Assert.ThrowsAsync<ArgumentException>(() => Unreachable.UpsertEntityAsync(new TableEntity("p", "r") { ["has space"] = 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => Unreachable.UpsertEntityAsync(new TableEntity("p", "r") { ["Decimal"] = 1.5m }));
    }
}
