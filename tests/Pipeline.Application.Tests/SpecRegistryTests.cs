using System.Text;
using Azure.Data.Tables;
using Pipeline.Application.Ingest;
using Pipeline.Application.Outcomes;
using Pipeline.Application.Storage;
using Pipeline.Application.Versions;
using Pipeline.Domain.Views;
using Pipeline.Domain.Views.Specs;
using Pipeline.Testing;

namespace Pipeline.Application.Tests;

/// <summary>
/// The registry in storage: registrations created once and immutable, refused with every problem, limited in
/// number, shared by every process, and applied by ingest in another process from the epoch after.
/// </summary>
[Collection(UsesAzurite.Name)]
public class SpecRegistryTests(AzuriteFixture azurite)
{
    private static readonly byte[] Example = File.ReadAllBytes(
        Path.Combine(DotnetProcess.RepositoryRoot, "examples", "new-users.2.json")
    );

    private static byte[] Spec(string json) => Encoding.UTF8.GetBytes(json);

    private static string Signup(int n, string plan) =>
        PipelineContext.Event($"s{n}", "user.signup", $"u{n}", 0, $$"""{"plan":"{{plan}}"}""");

    [Fact]
    public async Task ARegistration_IsCreatedOnce_TheSameContentIsUnchanged_OtherContentAndOlderVersionsAreRefused()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var specs = context.Get<SpecRegistry>();
        await specs.RegisterShippedAsync(ShippedSpecs.All);

        var created = await specs.RegisterAsync("new-users", 2, Example);
        var again = await specs.RegisterAsync("new-users", 2, Example);
        var changed = await specs.RegisterAsync(
            "new-users",
            2,
            Spec(
                Encoding.UTF8.GetString(Example).Replace("without test accounts", "no tests", StringComparison.Ordinal)
            )
        );

        Assert.Equal(OutcomeKind.Created, created.Kind);
        Assert.Equal(
            new RegisteredVersion(
                "new-users",
                2,
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Example)),
                context.Get<Time.PipelineClock>().CurrentEpoch
            ),
            created.Value
        );
        Assert.Equal((OutcomeKind.Ok, created.Value), (again.Kind, again.Value));
        Assert.Equal(OutcomeKind.Conflict, changed.Kind);
        Assert.Equal(
            "versions are immutable: new-users@2 is registered with other content; register version 3",
            changed.Problems[0]
        );
        Assert.True(context.Registry.TryGet("new-users", 2, out var v2));
        Assert.Equal("Sign-ups per UTC day, without test accounts.", v2.Description);

        const string Orders = """
            {"name":"orders","version":VERSION,"where":{"field":"type","op":"eq","value":"order.placed"},
             "window":"day","aggregates":[{"name":"orders","op":"count"}]}
            """;
        Assert.Equal(
            OutcomeKind.Created,
            (
                await specs.RegisterAsync("orders", 3, Spec(Orders.Replace("VERSION", "3", StringComparison.Ordinal)))
            ).Kind
        );
        var older = await specs.RegisterAsync(
            "orders",
            2,
            Spec(Orders.Replace("VERSION", "2", StringComparison.Ordinal))
        );
        Assert.Equal(OutcomeKind.Conflict, older.Kind);
        Assert.Equal(
            "orders has had version 3 registered; a new version must be above every version ever registered "
                + "(dropped ones too): register version 4",
            older.Problems[0]
        );
    }

    [Fact]
    public async Task AnInvalidSpec_IsRefusedWithEveryProblemAtItsPath_AndNothingIsRecorded()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var specs = context.Get<SpecRegistry>();

        var invalid = await specs.RegisterAsync(
            "orders",
            1,
            Spec("""{"name":"orders","version":1,"window":"fortnight","aggregates":[{"name":"s","op":"sum"}]}""")
        );
        var elsewhere = await specs.RegisterAsync("orders", 2, Example);
        var unsupported = await specs.RegisterAsync(
            "orders",
            1,
            Spec(
                """{"name":"orders","version":1,"window":"day","aggregates":["""
                    + string.Join(
                        ",",
                        Enumerable
                            .Range(0, 4)
                            .Select(i => $$"""{"name":"u{{i}}","op":"approxDistinct","field":"id","precision":18}""")
                    )
                    + "]}"
            )
        );
        var huge = await specs.RegisterAsync("orders", 1, new byte[ViewSpecReader.MaxSpecBytes + 1]);

        Assert.Equal(OutcomeKind.Invalid, invalid.Kind);
        Assert.Contains(invalid.Problems, p => p.StartsWith("$.window: ", StringComparison.Ordinal));
        Assert.Contains(invalid.Problems, p => p.StartsWith("$.aggregates[0]", StringComparison.Ordinal));
        Assert.Equal(OutcomeKind.Invalid, elsewhere.Kind);
        Assert.Equal(["$.name: the spec is for 'new-users', the request for 'orders'"], elsewhere.Problems);
        Assert.Equal(OutcomeKind.Invalid, unsupported.Kind);
        Assert.StartsWith(
            "$.aggregates: a key's state could reach 1,024 KiB",
            Assert.Single(unsupported.Problems),
            StringComparison.Ordinal
        );
        Assert.Equal(OutcomeKind.TooLarge, huge.Kind);
        Assert.Empty(await context.Get<VersionStore>().RegistrationsAsync());
    }

    [Fact]
    public async Task TheRegistry_HoldsAtMostMaxViewVersions()
    {
        await using var context = await PipelineContext.CreateAsync(
            azurite,
            settings: new Dictionary<string, string?> { ["Pipeline:MaxViewVersions"] = "5" }
        );
        var specs = context.Get<SpecRegistry>();
        await specs.RegisterShippedAsync(ShippedSpecs.All);
        Assert.Equal(OutcomeKind.Created, (await specs.RegisterAsync("new-users", 2, Example)).Kind);

        var full = await specs.RegisterAsync(
            "new-users",
            3,
            Spec(Encoding.UTF8.GetString(Example).Replace("\"version\": 2", "\"version\": 3", StringComparison.Ordinal))
        );

        Assert.Equal(OutcomeKind.Conflict, full.Kind);
        Assert.Equal("the registry holds 5 view versions, the most Pipeline__MaxViewVersions allows", full.Problems[0]);
    }

    [Fact]
    public async Task AVersionRegisteredThroughOneProcess_IsAppliedByAnotherThatIngests_FromTheNextEpoch()
    {
        await using var registering = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        await using var ingesting = registering.OtherProcess();
        await registering.Get<SpecRegistry>().RegisterShippedAsync(ShippedSpecs.All);
        await ingesting.Get<SpecRegistry>().RegisterShippedAsync(ShippedSpecs.All);
        var handler = ingesting.NewHandler();
        var clock = registering.Get<Time.PipelineClock>();

        // Epoch 0: ingested before the registration. Then v2 is registered through the other process, in epoch 1.
        registering.Time.SetUtcNow(PipelineContext.Start.AddSeconds(1));
        await handler.IngestAsync(new IngestBatch(0, PipelineContext.Incoming([Signup(0, "free"), Signup(1, "free")])));
        registering.Time.SetUtcNow(PipelineContext.Start.AddSeconds(15));
        var registered = await registering.Get<SpecRegistry>().RegisterAsync("new-users", 2, Example);
        Assert.Equal(clock.EpochOf(PipelineContext.Start.AddSeconds(15)), registered.Result.RegisteredEpoch);
        Assert.False(ingesting.Registry.TryGet("new-users", 2, out _));

        // Epoch 2: the ingesting process reads the registry before it applies the epoch's events.
        registering.Time.SetUtcNow(PipelineContext.Start.AddSeconds(25));
        var later = new[] { Signup(2, "free"), Signup(3, "test"), Signup(4, "free") }
            .Select(
                (body, i) =>
                    new IncomingEvent(Encoding.UTF8.GetBytes(body), 2 + i, PipelineContext.Start.AddSeconds(21 + i))
            )
            .ToArray();
        await handler.IngestAsync(new IngestBatch(0, later));

        Assert.True(ingesting.Registry.TryGet("new-users", 2, out var v2));
        Assert.Equal((2m, 2L), await registering.AnswerAsync(v2, PipelineContext.Day(0)));
        Assert.Equal((5m, 5L), await registering.AnswerAsync(BuiltInViews.NewUsers, PipelineContext.Day(0)));
        var registration = await registering.Get<VersionStore>().RegistrationAsync(v2.Id);
        Assert.False(await registering.Get<VersionRegistrations>().CaughtUpAsync(v2, null, registration));
    }

    [Fact]
    public async Task ANameRegisteredElsewhere_IsLookedUpInStorage_ByAProcessThatNeverReadTheRegistry()
    {
        await using var registering = await PipelineContext.CreateAsync(azurite);
        await using var asking = registering.OtherProcess();
        Assert.Equal(
            OutcomeKind.Created,
            (await registering.Get<SpecRegistry>().RegisterAsync("new-users", 2, Example)).Kind
        );

        await asking.Get<SpecRegistry>().LookUpAsync("new-users", 2);

        Assert.True(asking.Registry.TryGet("new-users", 2, out _));
    }

    [Fact]
    public async Task CaughtUpWithoutABatchView_OnlyWhenTheLogBeginsAfterTheRegistration_OrInItsEpochForShippedViews()
    {
        await using var context = await PipelineContext.CreateAsync(azurite, epoch: TimeSpan.FromSeconds(10));
        await context.NewHandler().IngestAsync(new IngestBatch(0, PipelineContext.Incoming([Signup(0, "free")])));
        var first = context.Get<Time.PipelineClock>().EpochOf(PipelineContext.Start);
        var registrations = context.Get<VersionRegistrations>();
        var view = BuiltInViews.NewUsers;

        async Task<bool> CaughtUpAsync(long epoch, bool live) =>
            await registrations.CaughtUpAsync(view, null, new VersionRegistration(view.Id, epoch, live, null, default));

        Assert.True(await CaughtUpAsync(first - 1, live: true));
        Assert.True(await CaughtUpAsync(first, live: false));
        Assert.False(await CaughtUpAsync(first, live: true));
        Assert.False(await CaughtUpAsync(first + 1, live: false));
    }

    [Fact]
    public async Task AShippedFileThatDiffersFromItsRegisteredVersion_StopsTheStart_NamingTheFile()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var specs = context.Get<SpecRegistry>();
        await specs.RegisterShippedAsync(ShippedSpecs.All);
        var edited = ViewSpecReader
            .Read(
                Encoding
                    .UTF8.GetString(ShippedSpecs.Read("revenue.1").Document.Span)
                    .Replace("\"day\"", "\"hour\"", StringComparison.Ordinal)
            )
            .Spec!;

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => specs.RegisterShippedAsync([edited]));

        Assert.StartsWith(
            "views/revenue.1.json differs from the registered revenue@1 (SHA-256 ",
            refused.Message,
            StringComparison.Ordinal
        );
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public async Task ARegistrationRecordedWithoutItsSpec_IsGivenTheShippedOne()
    {
        await using var context = await PipelineContext.CreateAsync(azurite);
        var version = new ViewVersion("revenue", 1);
        await context.Store.Pointers.AddEntityAsync(
            new TableEntity(StorageLayout.Views.RegistrationPartition, StorageLayout.Views.RowKey(version))
            {
                ["RegisteredEpoch"] = 7L,
            }
        );

        await context.Get<SpecRegistry>().RegisterShippedAsync(ShippedSpecs.All);

        var recorded = await context.Get<VersionStore>().RegistrationAsync(version);
        Assert.Equal((7L, ShippedSpecs.Read("revenue.1").Hash), (recorded!.Epoch, recorded.Hash));
    }
}
