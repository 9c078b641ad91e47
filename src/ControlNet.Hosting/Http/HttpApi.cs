using System.Net;
using System.Security.Cryptography;
using System.Text;
using ControlNet.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlNet.Hosting.Http;

/// <summary>The API's routes, and the key check the Functions host does for <c>AuthorizationLevel.Function</c>.</summary>
public static class HttpApi
{
    public const string KeyHeader = "x-functions-key";

    public static void MapControlNetApi(this IEndpointRouteBuilder routes, JobsApi api)
    {
        routes.MapPost(JobsApi.JobsRoute, (HttpRequest request, CancellationToken ct) => api.PostJobAsync(request, ct));
        routes.MapGet(JobsApi.JobsRoute + "/{id}", (string id, CancellationToken ct) => api.GetJobAsync(id, ct));
        routes.MapDelete(JobsApi.JobsRoute + "/{id}", (string id, CancellationToken ct) => api.DeleteJobAsync(id, ct));
        routes.MapPost(JobsApi.BatchesRoute, (HttpRequest request, CancellationToken ct) => api.PostBatchAsync(request, ct));
        routes.MapGet(JobsApi.BatchesRoute + "/{id}", (string id, CancellationToken ct) => api.GetBatchAsync(id, ct));
    }

    /// <summary>Constant-time comparison, so response timing does not leak how much of a guessed key was right.</summary>
    public static bool KeyMatches(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}

/// <summary>
/// <c>controlnet serve --http ADDRESS</c>: the API on Kestrel beside the portable host. Loopback needs no key; any
/// other address refuses to start without one, and then every request must carry it in <c>x-functions-key</c>.
/// </summary>
public sealed class HttpApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpApiServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The address Kestrel bound (port 0 in the argument becomes the real port here).</summary>
    public Uri Address { get; }

    public static async Task<HttpApiServer> StartAsync(PortableHost host, string address, string? apiKey, ILoggerFactory? loggers, CancellationToken ct)
    {
        var url = ParseAddress(address);
        if (apiKey is null && !IsLoopback(url.Host))
            throw new InvalidInputException($"--http {address} is reachable from other machines: give --api-key (clients send it as {HttpApi.KeyHeader}), or bind 127.0.0.1.");
        if (apiKey is { Length: < 16 })
            throw new InvalidInputException("--api-key must be at least 16 characters.");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggers is not null) builder.Services.AddSingleton(loggers);
        builder.WebHost.UseUrls(url.GetLeftPart(UriPartial.Authority));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = JobsApi.MaxUploadBytes + 1024 * 1024);
        builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = JobsApi.MaxUploadBytes + 1024 * 1024);
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        if (apiKey is not null)
        {
            app.Use(async (context, next) =>
            {
                if (HttpApi.KeyMatches(context.Request.Headers[HttpApi.KeyHeader], apiKey)) await next(context);
                else await Problems.Unauthorized().ExecuteAsync(context);
            });
        }
        app.MapControlNetApi(new JobsApi(host.Submitter, host.Client, host.Blobs, host.Workflow));
        await app.StartAsync(ct);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpApiServer(app, new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>"127.0.0.1:7071", "http://0.0.0.0:8080" or "[::1]:7071" → an http URL.</summary>
    internal static Uri ParseAddress(string address)
    {
        var text = address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp || url.AbsolutePath != "/")
            throw new InvalidInputException($"--http takes HOST:PORT (e.g. 127.0.0.1:7071), got '{address}'.");
        return url;
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
