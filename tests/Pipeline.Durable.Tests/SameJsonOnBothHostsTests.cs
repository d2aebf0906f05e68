using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure.Core.Serialization;
using Microsoft.AspNetCore.Connections;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Application;
using Pipeline.Application.Operations;
using Pipeline.Testing;

namespace Pipeline.Durable.Tests;

/// <summary>
/// Durable Functions' isolated worker talks to its host over gRPC with the SDK's gRPC client and worker, and
/// serializes with the Functions worker's <see cref="ObjectSerializer"/> (the app sets it to the pipeline's
/// JSON options). The in-process test host runs that same gRPC client and worker; the same orchestrations
/// run there and on the dev host's engine must give operation statuses with the same JSON.
/// </summary>
[Collection(UsesAzurite.Name)]
public class SameJsonOnBothHostsTests(AzuriteFixture azurite)
{
    private sealed record Progress(string Phase, int ChunksDone, long? Rows);

    private sealed record Result(bool Committed, DateTimeOffset At, IReadOnlyDictionary<int, long> LastSequences);

    /// <summary>What the Functions worker's converter does: its ObjectSerializer, as text.</summary>
    private sealed class ObjectSerializerConverter(ObjectSerializer serializer) : DataConverter
    {
        public override string? Serialize(object? value) =>
            value is null ? null : serializer.Serialize(value).ToString();

        public override object? Deserialize(string? data, Type targetType)
        {
            if (data is null)
            {
                return null;
            }

            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(data));
            return serializer.Deserialize(stream, targetType, default);
        }
    }

    /// <summary>Holds the third orchestration's activity until it has been canceled (one gate per host's
    /// run).</summary>
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Tasks(DurableTaskRegistry tasks) =>
        tasks
            .AddOrchestratorFunc<int, Result>(
                "shaped",
                async (context, mode) =>
                {
                    context.SetCustomStatus(new Progress("folding", 0, null));
                    var rows = await context.CallActivityAsync<long>("work", mode);
                    context.SetCustomStatus(new Progress("committed", 3, rows));
                    return new Result(
                        true,
                        new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero),
                        new Dictionary<int, long> { [0] = 41, [3] = 7 }
                    );
                }
            )
            .AddActivityFunc<int, long>(
                "work",
                async (_, mode) =>
                {
                    switch (mode)
                    {
                        case 1:
                            throw new InvalidDataException("raw segment 'x' is truncated");
                        case 2:
                            await _held.Task;
                            break;
                    }

                    return 12;
                }
            );

    private async Task<string[]> StatusesAsync(DurableTaskClient client, Func<string, Task> waitForStart)
    {
        _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var shapes = new List<string>();
        foreach (var mode in new[] { 0, 1, 2 })
        {
            var id = await client.ScheduleNewOrchestrationInstanceAsync("shaped", mode);
            await waitForStart(id);
            if (mode == 2)
            {
                await client.TerminateInstanceAsync(
                    id,
                    new TerminateInstanceOptions { Output = PipelineOperations.CanceledReason }
                );
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, patience.Token);
            if (mode == 2)
            {
                _held.SetResult(); // only once the cancel is recorded: a completion racing it would be another test
            }
            var status = (await PipelineOperations.GetAsync(client, id))!;
            shapes.Add(
                JsonSerializer.Serialize(
                    status with
                    {
                        InstanceId = "id",
                        CreatedAt = default,
                        UpdatedAt = default,
                    },
                    ApiJson.Options
                )
            );
        }

        return [.. shapes];
    }

    [Fact]
    public async Task StatusCustomStatusOutputAndErrors_AreTheSameJsonOnTheDevHostAndUnderFunctions()
    {
        var functionsConverter = new ObjectSerializerConverter(new JsonObjectSerializer(ApiJson.Options));
        await using var grpc = await StartTestHostAsync(
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services =>
                {
                    services.ConfigureAll<DurableTaskWorkerOptions>(o => o.DataConverter = functionsConverter);
                    services.ConfigureAll<DurableTaskClientOptions>(o => o.DataConverter = functionsConverter);
                },
            }
        );
        await using var engine = await EngineHost.StartAsync(azurite.ConnectionString, EngineHost.NewPrefix(), Tasks);

        var underFunctions = await StatusesAsync(grpc.Client, id => grpc.Client.WaitForInstanceStartAsync(id));
        var onTheDevHost = await StatusesAsync(engine.Client, id => engine.Client.WaitForInstanceStartAsync(id));

        Assert.True(
            underFunctions.SequenceEqual(onTheDevHost),
            string.Join("\n", underFunctions.Zip(onTheDevHost, (a, b) => a + "\n" + b))
        );
        Assert.Contains(
            "\"output\":{\"committed\":true,\"at\":\"2026-11-21T12:00:00+00:00\",\"lastSequences\":{\"0\":41,\"3\":7}}",
            onTheDevHost[0],
            StringComparison.Ordinal
        );
        Assert.Contains(
            "\"customStatus\":{\"phase\":\"committed\",\"chunksDone\":3,\"rows\":12}",
            onTheDevHost[0],
            StringComparison.Ordinal
        );
        Assert.Contains("\"error\":\"raw segment 'x' is truncated\"", onTheDevHost[1], StringComparison.Ordinal);
        Assert.Contains("\"state\":\"canceled\"", onTheDevHost[2], StringComparison.Ordinal);
        Assert.Contains("\"error\":\"canceled on request\"", onTheDevHost[2], StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts the in-process test host on a port the system gives out as free. Left to pick its own, it can pick one
    /// that an emulator of another test already holds; a port taken in the moment between is tried again.
    /// </summary>
    private async Task<DurableTaskTestHost> StartTestHostAsync(DurableTaskTestHostOptions options)
    {
        for (var attempt = 1; ; attempt++)
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                options.Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            try
            {
                return await DurableTaskTestHost.StartAsync(Tasks, options);
            }
            catch (IOException ex) when (attempt < 5 && ex.InnerException is AddressInUseException) { }
        }
    }
}
