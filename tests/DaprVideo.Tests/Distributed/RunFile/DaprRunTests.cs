using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Streams;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.DaprSidecar.Brokers;
using DaprVideo.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DaprVideo.Tests.Distributed.RunFile;

/// <summary>
/// The committed dapr.yaml and components/ run as <c>dapr run -f .</c> would run them (<see cref="DaprRunEmulation"/>):
/// real service processes from the build output, a daprd stand-in per app loaded from the same resources, a real
/// redis-server (or the Kafka model after the one documented edit), the real Ceph RGW.
/// </summary>
[Collection(CephRgwCollectionDefinition.Name)]
[Trait("Speed", "Slow")]
public sealed class DaprRunTests(CephRgwFixture ceph, RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>
{
    /// <summary>The Kafka switch as dapr.yaml and docs/distributed.md describe it: one resourcesPaths line.</summary>
    internal static string SwitchToKafka(string runFile)
    {
        var edited = runFile.Replace("    - ./components/redis\n", "    - ./components/kafka\n", StringComparison.Ordinal);
        Assert.NotEqual(runFile, edited);
        Assert.Single(runFile.Split('\n').Except(edited.Split('\n')));
        return edited;
    }

    internal static readonly Dictionary<string, string> FastSegments = new(StringComparer.Ordinal)
    {
        ["SEGMENT_SECONDS"] = "1",
        ["DETECT_FPS"] = "2",
        ["BATCH_SIZE"] = "4",
        ["BATCH_TIMEOUT_MS"] = "10",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__DaprVideo"] = "Information",
    };

    internal async Task<DaprRunEmulation> StartAllAsync(string broker, int inference = 1, int playlists = 1, Action<KafkaClusterModel>? kafkaTopics = null)
    {
        KafkaClusterModel? kafka = null;
        if (broker == "kafka")
        {
            kafka = new KafkaClusterModel();
            kafkaTopics?.Invoke(kafka);
        }
        var run = await DaprRunEmulation.CreateAsync(ceph, redis.Host, kafka, broker == "kafka" ? SwitchToKafka : null);
        try
        {
            foreach (var (k, v) in FastSegments) run.ExtraEnvironment[k] = v;
            run.ExtraEnvironment["MEDIA_DIRS"] = run.MediaDirectory;
            run.ExtraEnvironment["INGEST_SCRATCH_DIR"] = Path.Combine(run.Scratch, "ingest");
            await run.StartPlainAsync("modelserver", "http://127.0.0.1:8501/v1/models/default");
            for (var i = 0; i < playlists; i++) await run.StartAsync("playlist");
            for (var i = 0; i < inference; i++) await run.StartAsync("inference");
            await run.StartAsync("ingest");
        }
        catch (Exception e)
        {
            output.WriteLine(run.Logs());
            await run.DisposeAsync();
            throw new InvalidOperationException($"start failed: {e.Message}", e);
        }
        return run;
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("kafka")]
    public async Task The_committed_run_file_turns_a_file_into_annotated_HLS_in_Ceph(string broker)
    {
        await using var run = await StartAllAsync(broker);
        try
        {
            var clip = await PipelineEndToEndTests.MakeClipAsync(run.MediaDirectory);
            var ingest = run.Apps.Single(a => a.AppId == "ingest");
            var playlist = run.Apps.Single(a => a.AppId == "playlist");
            using (var created = await ingest.Http.PostAsJsonAsync("api/streams", new { id = "photos", source = clip }))
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            var index = await Eventually.HoldsAsync(() => TextAsync(playlist, "streams/photos/index.m3u8"),
                t => t.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal), "ENDLIST", 240);
            var uris = PipelineEndToEndTests.SegmentUris(index);
            Assert.InRange(uris.Count, 5, 8);
            Assert.Equal(Enumerable.Range(0, uris.Count).Select(s => $"segments/{s:D6}.ts"), uris);

            // In Ceph under the documented keys, through the binding of each app's sidecar.
            using var s3 = ceph.CreateS3Client();
            var keys = (await s3.ListObjectsAsync(run.Bucket, "streams/photos/")).S3Objects.Select(o => o.Key).ToList();
            for (var seq = 0; seq < uris.Count; seq++)
            {
                Assert.Contains(ObjectKeys.Segment(StreamId.Parse("photos"), seq), keys);
                Assert.Contains(ObjectKeys.SegmentRecord(StreamId.Parse("photos"), seq), keys);
            }
            var record = await playlist.Http.GetStringAsync("api/streams/photos/detections?label=person");
            Assert.Contains("\"person\"", record, StringComparison.Ordinal); // the astronaut, through the ModelServer
            // Inference's load record for Ingest's admission, through its sidecar's binding (the file is VOD: no overload).
            var loads = (await s3.ListObjectsAsync(run.Bucket, ObjectKeys.LoadPrefix)).S3Objects;
            using var loadObject = await s3.GetObjectAsync(run.Bucket, Assert.Single(loads).Key);
            using var loadBytes = new MemoryStream();
            await loadObject.ResponseStream.CopyToAsync(loadBytes);
            var load = AnalysisLoad.Parse(loadBytes.ToArray());
            Assert.False(load.Overloaded);

            foreach (var app in run.Apps)
            {
                Assert.Empty(app.Sidecar.Subscriptions!.Undelivered);
                Assert.Empty(app.Sidecar.Subscriptions.Skipped);
            }
            Assert.All(run.Apps.SelectMany(a => a.Sidecar.Published), e => Assert.True(e.CloudEvent.Length < 64 * 1024));

            // What the CLI sends on Ctrl+C, and Kubernetes at a pod's end: every service stops by itself, cleanly.
            foreach (var app in run.Apps)
                Assert.True(await app.Process.StopAsync(TimeSpan.FromSeconds(30)) == 0, $"{app.Name} did not exit 0 on SIGTERM:\n{app.Process.Output}");
        }
        catch
        {
            output.WriteLine(run.Logs());
            throw;
        }
    }

    internal static async Task<string> TextAsync(RunningApp app, string path)
    {
        try
        {
            using var response = await app.Http.GetAsync(path);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    internal static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal static long Sequence(string uri) => long.Parse(uri.AsSpan("segments/".Length, 6), CultureInfo.InvariantCulture);

    internal static long Now() => Stopwatch.GetTimestamp();
}
