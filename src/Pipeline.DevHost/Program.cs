using Pipeline.Application;
using Pipeline.DevHost;
using Pipeline.Durable;
using Pipeline.Http;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.ConfigureLimits();
    await builder.AddDevStorageAsync();
    builder.Services.AddPipeline(builder.Configuration).AddDurableEngine(builder.Configuration);
    builder.Services.AddHostedService<BatchTimer>();
    builder.Services.AddEventHubEmulator(builder.Configuration);
    builder.Services.AddPipelineEndpoints();
    builder.Services.AddApiDescription();
    var app = builder.Build();
    app.UseJsonErrors();
    app.MapPipelineRoutes();
    app.MapEmulatorPartitions();
    app.MapApiDescription();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupFailure.Describe(ex) is { } problem)
{
    // One line that names the problem, not a stack trace.
    Console.Error.WriteLine($"The dev host cannot start: {problem}");
    return 1;
}
