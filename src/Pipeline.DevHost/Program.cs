using Pipeline.Application;
using Pipeline.DevHost;

var builder = WebApplication.CreateBuilder(args);
await builder.AddDevStorageAsync();
builder.Services.AddPipeline(builder.Configuration).AddLocalOrchestrations();
builder.Services.AddEventHubEmulator(builder.Configuration);
var app = builder.Build();
app.MapPipelineRoutes();
await app.RunAsync();
