using Azure;
using Azure.Data.Tables;
using Pipeline.Storage.Tables;
using Pipeline.Testing;

namespace Pipeline.Storage.Tests;

/// <summary>
/// Azurite accepts some transactions and keys that Azure refuses (mixed PartitionKeys, <c>/</c> in a key
/// gives a 500), so the rules are checked before anything is sent. Each test shows that nothing reached
/// the emulator.
/// </summary>
[Collection(UsesAzurite.Name)]
public class TableRulesTests(AzuriteFixture azurite)
{
    private async Task<TableClient> NewTableAsync()
    {
        var table = azurite.Account.Tables.GetTableClient(AzuriteFixture.NewTableName("rules"));
        await table.CreateAsync();
        return table;
    }

    private static TableTransactionAction Add(string partitionKey, string rowKey, object? value = null) =>
        new(TableTransactionActionType.Add, new TableEntity(partitionKey, rowKey) { ["Value"] = value ?? 1 });

    private static async Task<int> CountAsync(TableClient table) =>
        (await table.QueryAsync<TableEntity>().ToListAsync()).Count;

    [Fact]
    public async Task Transactions_AreCutAtAHundredActionsOr4MiB_OnePartitionKeyEach_AndAzuriteTakesThemAll()
    {
        var table = await NewTableAsync();
        var large = new byte[60 * 1024];
        var rows = Enumerable
            .Range(0, 150)
            .Select(i => new TableEntity(i % 3 == 0 ? "small" : "large", $"{i:D4}")
            {
                ["State"] = i % 3 == 0 ? 1 : large,
            })
            .ToList();

        var transactions = TableRules.Transactions(rows, r => r);

        Assert.Equal(rows.Select(r => r.RowKey).Order(), transactions.SelectMany(t => t).Select(r => r.RowKey).Order());
        Assert.All(transactions, t => Assert.Single(t.Select(r => r.PartitionKey).Distinct()));
        Assert.All(transactions, t => Assert.InRange(t.Count, 1, TableRules.MaxTransactionActions));
        Assert.Equal([50], transactions.Where(t => t[0].PartitionKey == "small").Select(t => t.Count));
        Assert.True(
            transactions.Count(t => t[0].PartitionKey == "large") >= 2,
            "100 rows of 60 KiB in one transaction"
        );
        foreach (var transaction in transactions)
        {
            await table.SubmitCheckedTransactionAsync(
                transaction.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r))
            );
        }

        Assert.Equal(150, await CountAsync(table));
    }

    [Fact]
    public async Task MixedPartitionKeys_AreRefusedBeforeSending_ThoughAzuriteWouldAcceptThem()
    {
        var table = await NewTableAsync();

        var error = await Assert.ThrowsAsync<TableRuleException>(() =>
            table.SubmitCheckedTransactionAsync([Add("a", "1"), Add("b", "2")])
        );

        Assert.Equal("one PartitionKey per transaction", error.Rule);
        Assert.Contains("action 1 has 'b'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(table));
    }

    [Fact]
    public async Task HundredActions_AreOneTransaction_AndTheHundredAndFirstIsARuleException()
    {
        var table = await NewTableAsync();
        var hundred = Enumerable.Range(0, TableRules.MaxTransactionActions).Select(i => Add("p", $"r{i:D3}")).ToList();

        var responses = (await table.SubmitCheckedTransactionAsync(hundred)).Value;
        var error = await Assert.ThrowsAsync<TableRuleException>(() =>
            table.SubmitCheckedTransactionAsync(
                Enumerable.Range(0, TableRules.MaxTransactionActions + 1).Select(i => Add("q", $"r{i:D3}"))
            )
        );

        Assert.Equal(100, responses.Count);
        Assert.All(responses, r => Assert.NotNull(r.Headers.ETag));
        Assert.Equal("transaction size", error.Rule);
        Assert.IsAssignableFrom<ArgumentException>(error);
        Assert.Equal(100, await CountAsync(table));
    }

    [Fact]
    public async Task RepeatedRowKey_IsRefused()
    {
        var table = await NewTableAsync();

        var error = await Assert.ThrowsAsync<TableRuleException>(() =>
            table.SubmitCheckedTransactionAsync([Add("p", "r"), Add("p", "r")])
        );

        Assert.Equal("each entity once per transaction", error.Rule);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("tab\there")]
    [InlineData("c1\u0085")]
    public async Task IllegalKeyCharacters_AreRefused_InTransactionsAndPointReads(string key)
    {
        var table = await NewTableAsync();

        var inTransaction = await Assert.ThrowsAsync<TableRuleException>(() =>
            table.SubmitCheckedTransactionAsync([Add(key, "r")])
        );
        var asRow = await Assert.ThrowsAsync<TableRuleException>(() => table.GetEntityOrNullAsync("p", key));

        Assert.Equal("key characters and length", inTransaction.Rule);
        Assert.Equal("key characters and length", asRow.Rule);
        Assert.Equal(0, await CountAsync(table));
    }

    [Fact]
    public async Task KeyOfOneKibibyte_IsStored_AndOneCharacterMoreIsRefused()
    {
        var table = await NewTableAsync();
        var longest = new string('k', TableKeys.MaxKeyCharacters);

        await table.SubmitCheckedTransactionAsync([Add(longest, longest)]);
        var error = await Assert.ThrowsAsync<TableRuleException>(() =>
            table.SubmitCheckedTransactionAsync([Add(longest + "k", "r")])
        );

        Assert.NotNull(await table.GetEntityOrNullAsync(longest, longest));
        Assert.Contains("1 KiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransactionOverFourMebibytes_IsRefused()
    {
        var table = await NewTableAsync();
        var actions = Enumerable.Range(0, 80).Select(i => Add("p", $"r{i}", new byte[60 * 1024]));

        var error = await Assert.ThrowsAsync<TableRuleException>(() => table.SubmitCheckedTransactionAsync(actions));

        Assert.Equal("4 MiB per transaction", error.Rule);
        Assert.Equal(0, await CountAsync(table));
    }

    [Fact]
    public async Task BinaryPropertyOf64KiB_IsStored_AndOneByteMoreIsRefused()
    {
        var table = await NewTableAsync();
        var largest = new byte[TableRules.MaxPropertyBytes];
        new Random(3).NextBytes(largest);

        await table.SubmitCheckedTransactionAsync([Add("p", "r", largest)]);
        var error = await Assert.ThrowsAsync<TableRuleException>(() =>
            table.SubmitCheckedTransactionAsync([Add("p", "r2", new byte[TableRules.MaxPropertyBytes + 1])])
        );

        Assert.Equal(largest, (await table.GetEntityOrNullAsync("p", "r"))!.GetBinary("Value"));
        Assert.Equal("64 KiB per property", error.Rule);
    }

    [Fact]
    public void EntityOverOneMebibyte_TooManyProperties_AndUnstorableTypes_AreRefused()
    {
        var large = new TableEntity("p", "r");
        for (var i = 0; i < 16; i++)
        {
            large[$"Part{i}"] = new byte[TableRules.MaxPropertyBytes];
        }

        var crowded = new TableEntity("p", "r");
        for (var i = 0; i <= TableRules.MaxCustomProperties; i++)
        {
            crowded[$"P{i}"] = i;
        }

        Assert.Equal("1 MiB per entity", Assert.Throws<TableRuleException>(() => TableRules.CheckEntity(large)).Rule);
        Assert.Equal(
            "252 properties per entity",
            Assert.Throws<TableRuleException>(() => TableRules.CheckEntity(crowded)).Rule
        );
        Assert.Equal(
            "property types",
            Assert
                .Throws<TableRuleException>(() =>
                    TableRules.CheckEntity(new TableEntity("p", "r") { ["Money"] = 1.5m })
                )
                .Rule
        );
    }

    [Fact]
    public async Task RefusedChangeSet_AppliesNothing_AndNamesTheFailingAction()
    {
        var table = await NewTableAsync();
        await table.SubmitCheckedTransactionAsync([Add("p", "taken")]);

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() =>
            table.SubmitCheckedTransactionAsync([Add("p", "new"), Add("p", "taken")])
        );

        Assert.Equal(409, error.Status);
        Assert.Equal(1, error.FailedTransactionActionIndex);
        Assert.IsAssignableFrom<RequestFailedException>(error);
        Assert.Null(await table.GetEntityOrNullAsync("p", "new"));
    }

    [Fact]
    public async Task GetEntityOrNull_IsNullForAMissingEntity()
    {
        var table = await NewTableAsync();

        Assert.Null(await table.GetEntityOrNullAsync("p", "missing"));
    }
}
