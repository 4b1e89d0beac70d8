using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// A real webhook receiver: Kestrel on 127.0.0.1 (ephemeral port) that takes any request, records it, and answers
/// with the status <see cref="Answer"/> picks for the request's number (0-based). <see cref="Hang"/> makes it hold
/// requests open until <see cref="Release"/> or disposal.
/// </summary>
public sealed class HookReceiver : IAsyncDisposable
{
    public sealed record Request(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Status);

    private readonly WebApplication _app;
    private readonly List<Request> _requests = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    private HookReceiver(WebApplication app) => _app = app;

    /// <summary>Status for request number n (0-based); 204 by default.</summary>
    public Func<int, int> Answer { get; set; } = _ => StatusCodes.Status204NoContent;

    /// <summary>When set, every request waits for <see cref="Release"/> before it is answered.</summary>
    public bool Hang { get; set; }

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<Request> Requests { get { lock (_requests) return [.. _requests]; } }

    /// <summary>Requests that were answered 2xx.</summary>
    public IReadOnlyList<Request> Accepted => Requests.Where(r => r.Status / 100 == 2).ToList();

    /// <summary>Requests received so far, answered or not.</summary>
    public int Received => Volatile.Read(ref _count);

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public void Release() => _release.TrySetResult();

    public static async Task<HookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new HookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return receiver;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var n = Interlocked.Increment(ref _count) - 1;
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        if (Hang)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
            try
            {
                await _release.Task.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var status = Answer(n);
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        lock (_requests)
            _requests.Add(new Request(http.Request.Method, http.Request.Path.Value ?? "", http.Request.QueryString.Value ?? "", headers, body.ToArray(), status));
        http.Response.StatusCode = status;
        if (status / 100 == 2 && status != StatusCodes.Status204NoContent)
            await http.Response.WriteAsync("""{"ok":true}""");
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
