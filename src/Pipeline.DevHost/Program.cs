using Pipeline.Application;
using Pipeline.DevHost;
using Pipeline.Durable;
using Pipeline.Http;

var builder = WebApplication.CreateBuilder(args);
await builder.AddDevStorageAsync();
builder.Services.AddPipeline(builder.Configuration).AddDurableEngine(builder.Configuration);
builder.Services.AddHostedService<BatchTimer>();
builder.Services.AddEventHubEmulator(builder.Configuration);
builder.Services.AddPipelineEndpoints();
var app = builder.Build();
app.MapPipelineRoutes();
await app.RunAsync();
