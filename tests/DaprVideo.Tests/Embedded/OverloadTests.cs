using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Embedded;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// Graceful overload through the real <c>serve</c> host, real ffmpeg and live test patterns, with a detector that
/// takes a fixed time per frame (one batch at a time, like a busy CPU): more frames asked for than it can look at.
/// </summary>
[Trait("Speed", "Slow")]
public class OverloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Analysis_rate_drops_and_live_video_keeps_up_with_wall_time()
    {
        // 2 cameras at DETECT_FPS 5 ask for 10 frames/s; the detector manages 5: without the control every stream would
        // produce 0.5 s of video per second and fall further behind. At 2.5 fps or less per stream it fits. Small frames and
        // 2 s chunks keep ffmpeg's share small, so the detector is the bottleneck.
        await using var host = await ServeHost.StartAsync(segmentSeconds: 2, detector: new SlowDetector(TimeSpan.FromMilliseconds(200)),
            detectFps: 5, detectFpsMin: 1);
        string[] ids = ["cam0", "cam1"];
        foreach (var id in ids)
        {
            var created = await host.Http.PostAsJsonAsync("/api/streams", new { id, source = "testsrc:size=160x120:rate=10" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var states = new HashSet<string>();
        var clock = Stopwatch.StartNew();
        async Task<Dictionary<string, (double Media, double Lag, List<double?> Rates)>> SampleAsync()
        {
            var sample = new Dictionary<string, (double, double, List<double?>)>();
            foreach (var id in ids)
            {
                var timeline = await host.Http.GetFromJsonAsync<JsonElement>($"/api/streams/{id}/timeline");
                var segments = timeline.EnumerateArray().ToList();
                var media = segments.Sum(s => s.GetProperty("duration").GetDouble());
                var lag = segments.Count == 0 ? double.NaN
                    : (DateTimeOffset.UtcNow - segments[^1].GetProperty("start").GetDateTimeOffset()).TotalSeconds - segments[^1].GetProperty("duration").GetDouble();
                var rates = segments.Select(s => s.TryGetProperty("analysedFps", out var fps) ? fps.GetDouble() : (double?)null).ToList();
                sample[id] = (media, lag, rates);
            }
            return sample;
        }
        async Task WatchUntilAsync(double seconds)
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                foreach (var id in ids)
                {
                    var status = await host.Http.GetFromJsonAsync<JsonElement>($"/api/streams/{id}");
                    states.Add(status.GetProperty("state").GetString()!);
                    if (status.GetProperty("state").GetString() == "degraded")
                        Assert.True(status.GetProperty("analysedFps").GetDouble() < status.GetProperty("detectFps").GetDouble());
                }
                await Task.Delay(500); // sampling interval of the observer
            }
        }

        await WatchUntilAsync(20); // the control settles
        var first = await SampleAsync();
        var t1 = clock.Elapsed.TotalSeconds;
        await WatchUntilAsync(50);
        var second = await SampleAsync();
        var t2 = clock.Elapsed.TotalSeconds;

        foreach (var id in ids)
        {
            var speed = (second[id].Media - first[id].Media) / (t2 - t1);
            var rates = second[id].Rates;
            output.WriteLine($"{id}: {speed:F2} s of video per second, lag {second[id].Lag:F1} s, analysed fps {string.Join(" ", rates)}");
            Assert.True(speed > 0.8, $"{id} produced {speed:F2} s of video per second");
            Assert.True(second[id].Lag < 10, $"{id} is {second[id].Lag:F1} s behind");
            Assert.All(rates, r => Assert.InRange(r!.Value, 1, 5));
            Assert.Contains(rates, r => r < 5);
        }
        output.WriteLine($"states seen: {string.Join(", ", states)}");
        Assert.Contains("degraded", states);
        foreach (var id in ids) Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync($"/api/streams/{id}")).StatusCode);
    }

    [Fact]
    public async Task At_the_floor_and_still_behind_a_new_stream_gets_503_and_the_running_ones_lose_nothing()
    {
        // 2 cameras at no less than 4 fps (the floor) ask for 8 frames/s; the detector manages 4: behind even at the floor.
        await using var host = await ServeHost.StartAsync(segmentSeconds: 1, detector: new SlowDetector(TimeSpan.FromMilliseconds(250)),
            detectFps: 5, detectFpsMin: 4);
        string[] ids = ["cam0", "cam1"];
        foreach (var id in ids)
            Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", new { id, source = "testsrc:size=320x240:rate=10" })).StatusCode);

        var analysis = host.App.Services.GetRequiredService<EmbeddedPipeline>().Analysis!;
        await Eventually.HoldsAsync(() => Task.FromResult(analysis.Load()), l => l.Overloaded, "the analysis to be overloaded at its floor");

        var refused = await host.Http.PostAsJsonAsync("/api/streams", new { id = "extra", source = "testsrc:size=320x240:rate=10" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("Analysis is at its floor of 4 fps on every stream; this machine cannot take another camera.", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/api/streams/extra")).StatusCode);

        // The running streams carry on (at the floor, degraded) and keep producing segments.
        var before = await host.Http.GetFromJsonAsync<JsonElement>("/api/streams/cam0");
        var after = await Eventually.HoldsAsync(() => host.Http.GetFromJsonAsync<JsonElement>("/api/streams/cam0"),
            s => s.GetProperty("segments").GetInt64() >= before.GetProperty("segments").GetInt64() + 3, "cam0 to keep capturing");
        Assert.Contains(after.GetProperty("state").GetString(), new[] { "running", "degraded" });

        // Stopped, every captured chunk becomes a segment: the backlog is annotated, not dropped.
        foreach (var id in ids) Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync($"/api/streams/{id}")).StatusCode);
        foreach (var id in ids)
        {
            var index = await Eventually.HoldsAsync(async () => M3u8Parser.Parse(await host.Http.GetStringAsync($"/streams/{id}/index.m3u8")),
                p => p.EndList, $"ENDLIST in {id}'s index.m3u8", seconds: 120);
            var status = await host.Http.GetFromJsonAsync<JsonElement>($"/api/streams/{id}");
            Assert.Equal(status.GetProperty("segments").GetInt64(), index.Segments.Count);
            Assert.Equal(Enumerable.Range(0, index.Segments.Count).Select(i => $"segments/{i:D6}.ts"), index.Segments.Select(s => s.Uri));
            var timeline = await host.Http.GetFromJsonAsync<JsonElement>($"/api/streams/{id}/timeline");
            Assert.All(timeline.EnumerateArray(), s => Assert.InRange(s.GetProperty("analysedFps").GetDouble(), 4, 5));
            output.WriteLine($"{id}: {index.Segments.Count} segments, none lost");
        }
    }

    /// <summary>
    /// A detector that needs <paramref name="perFrame"/> for every frame and finds nothing. The pipeline's frame batcher
    /// sends it one batch at a time, so it looks at no more than one frame per <paramref name="perFrame"/>.
    /// </summary>
    private sealed class SlowDetector(TimeSpan perFrame) : IObjectDetector
    {
        public async Task<IReadOnlyList<Detection>[]> DetectAsync(IReadOnlyList<ImageFrame> frames, CancellationToken cancellationToken = default)
        {
            await Task.Delay(perFrame * frames.Count, cancellationToken); // the modelled compute time, not a synchronisation wait
            return [.. frames.Select(_ => (IReadOnlyList<Detection>)[])];
        }
    }
}
