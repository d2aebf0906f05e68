using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Functions;

// The same composition root as the dev host (FunctionsServices); only the publisher (a real Event Hub) and the
// Durable Task runtime (Durable Functions, its client bound per invocation) differ.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
builder.Services.AddFunctionsApp(builder.Configuration);
builder.Build().Run();
