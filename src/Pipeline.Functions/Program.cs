using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Application;
using Pipeline.Application.Ingest;
using Pipeline.Http;

// The same composition root as the dev host; only the publisher (a real Event Hub) and the
// orchestration runtime (Durable Functions, bound per invocation) differ.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
builder.Services.AddPipeline(builder.Configuration);
builder.Services.AddPipelineEndpoints();
builder.Services.AddEventHubsPublisher(builder.Configuration);
builder.Build().Run();
