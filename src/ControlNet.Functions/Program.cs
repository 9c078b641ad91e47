using ControlNet.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// Triggers and bindings only: what they call is registered by FunctionsSettings, shared with the portable host.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
FunctionsSettings.Register(builder.Services, builder.Configuration);
builder.Build().Run();
