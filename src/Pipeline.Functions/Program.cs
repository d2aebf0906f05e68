using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Application;
using Pipeline.Application.Ingest;
using Pipeline.Http;

// The same composition root as the dev host; only the publisher (a real Event Hub) and the Durable
// Task runtime (Durable Functions, its client bound per invocation) differ.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Durable Functions serializes inputs, outputs and custom status with the worker's serializer: the
// pipeline's JSON options make operation statuses read exactly as on the dev host.
builder.Services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(ApiJson.Options));
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
builder.Services.AddPipeline(builder.Configuration);
builder.Services.AddPipelineEndpoints();
builder.Services.AddEventHubsPublisher(builder.Configuration);
builder.Build().Run();
