using System.Diagnostics;
using System.Globalization;
using System.Net;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Ingest;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Distributed;

/// <summary>
/// Figures for the distributed mode, printed (run with a console logger at normal verbosity to see them):
/// chunk-stored → listed-in-live.m3u8 latency through the stand-in, event sizes, and Playlist m3u8
/// requests/s next to Kestrel serving the same bytes as a static file, in the same run.
/// </summary>
[Collection(CephRgwCollectionDefinition.Name)]
[Trait("Category", "Measure")]
[Trait("Speed", "Slow")]
public sealed class DistributedMeasurements(CephRgwFixture ceph, DetectorFixture detector, ITestOutputHelper output) : IClassFixture<DetectorFixture>
{
    [Fact]
    public async Task Latency_event_sizes_and_playlist_throughput()
    {
        await using var system = await DistributedSystem.StartAsync(ceph, detector.Detector, new DeliveryPolicy());
        var clip = await PipelineEndToEndTests.MakeClipAsync(system.MediaDirectory);
        var id = StreamId.Parse("measure");
        var playlist = system.Playlists[0];

        // Real time (simulated live): a chunk every second, as a camera would give them.
        await system.Ingest.Services.GetRequiredService<StreamCaptures>().StartAsync(id, VideoSource.Parse(clip), simulateLive: true);
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            var text = await PipelineEndToEndTests.TextAsync(playlist, $"streams/{id}/live.m3u8");
            var now = Stopwatch.GetTimestamp();
            foreach (var uri in PipelineEndToEndTests.SegmentUris(text)) seen.TryAdd(uri, now);
            if (text.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal)) break;
            await Task.Delay(10); // sampling interval of the measurement
        }
        Assert.True(seen.Count >= 5, $"only {seen.Count} segments listed");

        var latencies = new List<double>();
        foreach (var (uri, listedAt) in seen)
        {
            var sequence = long.Parse(uri.AsSpan("segments/".Length, 6), CultureInfo.InvariantCulture);
            Assert.True(system.Objects.TryGetStoredAt(ObjectKeys.Chunk(id, sequence), out var storedAt), $"chunk {sequence} store time");
            latencies.Add(Stopwatch.GetElapsedTime(storedAt, listedAt).TotalMilliseconds);
        }
        latencies.Sort();
        output.WriteLine(Invariant($"chunk stored -> listed in live.m3u8 ({latencies.Count} segments of 1 s, 320x180, DETECT_FPS=2): p50 {Percentile(latencies, 0.5):0} ms, p95 {Percentile(latencies, 0.95):0} ms, max {latencies[^1]:0} ms"));

        foreach (var topic in system.Sidecar.PubSub.Published.GroupBy(e => e.Topic))
        {
            var sizes = topic.Select(e => e.CloudEvent.Length).ToList();
            var data = topic.Select(e => e.Json["data"]!.ToJsonString().Length).ToList();
            output.WriteLine(Invariant($"topic {topic.Key}: {sizes.Count} events, CloudEvent {sizes.Min()}..{sizes.Max()} bytes (data {data.Min()}..{data.Max()} bytes)"));
            Assert.All(sizes, s => Assert.True(s < 64 * 1024));
        }

        // Same bytes, two servers, same loop: the Playlist endpoint and Kestrel's static file middleware.
        var bytes = await (await playlist.Http.GetAsync($"streams/{id}/live.m3u8")).Content.ReadAsByteArrayAsync();
        using var files = new TempDirectory();
        await File.WriteAllBytesAsync(files.File("live.m3u8"), bytes);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var staticHost = builder.Build();
        staticHost.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(files.Path),
            ServeUnknownFileTypes = true,
        });
        await staticHost.StartAsync();
        using var staticClient = new HttpClient { BaseAddress = new Uri(staticHost.Urls.First()) };

        var playlistRate = await RequestsPerSecondAsync(playlist.Http, $"streams/{id}/live.m3u8", bytes);
        var staticRate = await RequestsPerSecondAsync(staticClient, "live.m3u8", bytes);
        output.WriteLine(Invariant($"live.m3u8 ({bytes.Length} bytes), 4 concurrent clients on loopback: Playlist {playlistRate:0} req/s, Kestrel static file {staticRate:0} req/s ({playlistRate / staticRate:P0})"));
        Assert.True(playlistRate > 50, $"Playlist served only {playlistRate:0} req/s");
    }

    /// <summary>A bounded load loop: 4 clients, 2 s or 20 000 requests; every answer must be the same bytes.</summary>
    private static async Task<double> RequestsPerSecondAsync(HttpClient client, string path, byte[] expected)
    {
        for (var i = 0; i < 50; i++) Assert.Equal(expected, await client.GetByteArrayAsync(path)); // warm-up
        var count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(2) && Interlocked.Increment(ref count) <= 20_000)
            {
                using var response = await client.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(expected.Length, (await response.Content.ReadAsByteArrayAsync()).Length);
            }
        }));
        return Math.Min(count, 20_000) / clock.Elapsed.TotalSeconds;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
