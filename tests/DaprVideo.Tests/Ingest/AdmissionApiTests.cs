using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprVideo.Tests.Ingest;

/// <summary>
/// The Ingest module as a distributed Ingest runs it: POST /api/streams is refused with 503 while every Inference
/// replica's load record says it is overloaded, and admitted otherwise.
/// </summary>
public sealed class AdmissionApiTests : IAsyncDisposable
{
    private readonly TempDirectory _tmp = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FileObjectStore _store;
    private WebApplication? _app;

    public AdmissionApiTests() => _store = new FileObjectStore(_tmp.File("store"));

    private async Task<HttpClient> StartAsync(bool defaultSignal = false)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IObjectStore>(_store);
        builder.Services.AddSingleton<IEventPublisher>(new NoEvents());
        if (!defaultSignal) builder.Services.AddSingleton<IAdmissionSignal>(new StoredAdmissionSignal(_store, _time));
        builder.Services.AddIngest(new IngestOptions { ScratchDirectory = _tmp.File("scratch") });
        _app = builder.Build();
        _app.MapIngest();
        await _app.StartAsync();
        // An id already in the store: an admitted POST answers 409 without starting a capture.
        await _store.PutAsync(ObjectKeys.Chunk(StreamId.Parse("taken"), 0), new byte[] { 1 });
        return new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    private Task PutLoadAsync(string replica, bool overloaded) =>
        _store.PutAsync(ObjectKeys.InferenceLoad(replica),
            new AnalysisLoad(replica, overloaded ? 1 : 5, 5, 1, overloaded ? 20 : 1, overloaded ? 0.5 : 0, overloaded, _time.GetUtcNow()).ToJsonBytes());

    private static Task<HttpResponseMessage> PostAsync(HttpClient http) =>
        http.PostAsJsonAsync("/api/streams", new { id = "taken", source = "testsrc" });

    [Fact]
    public async Task Ingest_admits_by_the_stored_load_records_unless_its_host_knows_better()
    {
        using var http = await StartAsync(defaultSignal: true);
        Assert.IsType<StoredAdmissionSignal>(_app!.Services.GetRequiredService<IAdmissionSignal>());
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(http)).StatusCode);
    }

    [Fact]
    public async Task Every_replica_overloaded_gives_503_with_a_clear_line_and_Retry_After()
    {
        using var http = await StartAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(http)).StatusCode); // no record: admitted

        await PutLoadAsync("inference-a", overloaded: true);
        _time.Advance(StoredAdmissionSignal.CacheFor);
        var refused = await PostAsync(http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Analysis is at its floor of 1 fps on every stream; this machine cannot take another camera.", problem.GetProperty("detail").GetString());

        // A second replica with room: admitted again.
        await PutLoadAsync("inference-b", overloaded: false);
        _time.Advance(StoredAdmissionSignal.CacheFor);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(http)).StatusCode);

        // That replica is gone (its record stale), the other still overloaded: refused.
        _time.Advance(StoredAdmissionSignal.Freshness);
        await PutLoadAsync("inference-a", overloaded: true);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync(http)).StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _tmp.Dispose();
    }

    private sealed class NoEvents : IEventPublisher
    {
        public Task PublishAsync<TEvent>(string topic, TEvent message, CancellationToken cancellationToken = default) where TEvent : class =>
            Task.CompletedTask;
    }
}
