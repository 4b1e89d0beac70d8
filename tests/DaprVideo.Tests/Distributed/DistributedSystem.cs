using System.Net.Http.Json;
using Amazon.S3.Model;
using DaprVideo.Core.Ports;
using DaprVideo.DaprAdapters;
using DaprVideo.Inference;
using DaprVideo.Ingest;
using DaprVideo.Playlist;
using DaprVideo.Settings;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.Infrastructure;
using DaprVideo.Tests.TfServing.Support;

namespace DaprVideo.Tests.Distributed;

/// <summary>
/// The distributed system on loopback: the real Ingest, Inference and Playlist hosts, the real ModelServer
/// (ONNX model), one Dapr sidecar stand-in shared by all apps (as several daprd share one broker) whose
/// binding stores into a private bucket of the real Ceph RGW.
/// </summary>
public sealed class DistributedSystem : IAsyncDisposable
{
    private readonly TempDirectory _tmp = new();
    private readonly List<ServiceApp> _playlists = [];
    private S3ObjectBackend _s3 = null!;
    private RunningModelServer _modelServer = null!;

    private DistributedSystem(CephRgwFixture ceph) => Ceph = ceph;

    public CephRgwFixture Ceph { get; }
    public string Bucket { get; private set; } = "";
    public TimedObjectBackend Objects { get; private set; } = null!;
    public DaprSidecarStandIn Sidecar { get; private set; } = null!;
    public ServiceApp Ingest { get; private set; } = null!;
    public ServiceApp? Inference { get; private set; }
    public IReadOnlyList<ServiceApp> Playlists => _playlists;
    public string MediaDirectory => _tmp.File("media");

    public static async Task<DistributedSystem> StartAsync(CephRgwFixture ceph, IObjectDetector detector, DeliveryPolicy delivery,
        bool inference = true, int playlists = 1)
    {
        var system = new DistributedSystem(ceph);
        try
        {
            await system.InitializeAsync(detector, delivery, inference, playlists);
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
        return system;
    }

    private async Task InitializeAsync(IObjectDetector detector, DeliveryPolicy delivery, bool inference, int playlists)
    {
        Directory.CreateDirectory(MediaDirectory);
        // A private bucket: Ingest resumes and Playlist rebuilds from everything under streams/.
        Bucket = "dv-" + Guid.NewGuid().ToString("N")[..12];
        using (var s3 = Ceph.CreateS3Client()) await s3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        _s3 = new S3ObjectBackend(new Uri(Ceph.Endpoint), Ceph.AccessKey, Ceph.SecretKey, Bucket);
        Objects = new TimedObjectBackend(_s3);
        Sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions
        {
            Bindings = new Dictionary<string, S3BindingEmulator> { ["objectstore"] = new S3BindingEmulator(Objects) },
            Delivery = delivery,
            MaxBodyBytes = checked((int)DaprSidecar.Runtime.DaprRunFile.Load(RepoPaths.Root).App("ingest").MaxBodyBytes), // dapr.yaml's maxBodySize
        });
        _modelServer = await RunningModelServer.StartAsync(detector);
        await StartIngestAsync();
        if (inference) await StartInferenceAsync();
        for (var i = 0; i < playlists; i++) await StartPlaylistAsync(i == 0 ? PlaylistModule.AppId : $"{PlaylistModule.AppId}-{i}");
    }

    /// <summary>What daprd and dapr.yaml give every app here: sidecar endpoints, 1-s segments, the media folder, the model server.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        [SettingsCatalogue.DaprGrpcEndpoint.Name] = Sidecar.GrpcEndpoint,
        [SettingsCatalogue.DaprHttpEndpoint.Name] = Sidecar.HttpEndpoint,
        ["SEGMENT_SECONDS"] = "1",
        ["MEDIA_DIRS"] = MediaDirectory,
        ["INGEST_SCRATCH_DIR"] = _tmp.File("scratch"),
        ["TF_SERVING_URL"] = _modelServer.GrpcUrl,
        ["DETECT_FPS"] = "2",
        ["BATCH_SIZE"] = "4",
        ["BATCH_TIMEOUT_MS"] = "10",
    };

    public async Task<ServiceApp> StartIngestAsync()
    {
        Ingest = await ServiceApp.StartAsync(IngestModule.AppId, IngestModule.DefaultPort, IngestApp.AddServices, IngestApp.MapEndpoints, Settings());
        return Ingest;
    }

    public async Task StopIngestAsync() => await Ingest.DisposeAsync();

    public async Task<ServiceApp> StartInferenceAsync()
    {
        Inference = await ServiceApp.StartAsync(InferenceModule.AppId, InferenceModule.DefaultPort, InferenceApp.AddServices, InferenceApp.MapEndpoints, Settings());
        await Sidecar.ConnectAppAsync(Inference.BaseAddress, InferenceModule.AppId);
        return Inference;
    }

    /// <summary>Like a pod going away: the broker stops delivering first, then the host shuts down (in-flight work is cancelled and redelivered later).</summary>
    public async Task StopInferenceAsync()
    {
        Sidecar.PubSub.DisconnectApp(InferenceModule.AppId);
        if (Inference is not null) await Inference.DisposeAsync();
        Inference = null;
    }

    /// <summary>A Playlist replica; <paramref name="subscribe"/> false gives one that never gets an event (it must catch up from the store).</summary>
    public async Task<ServiceApp> StartPlaylistAsync(string appId, bool subscribe = true)
    {
        var app = await ServiceApp.StartAsync(appId, PlaylistModule.DefaultPort, PlaylistApp.AddServices, PlaylistApp.MapEndpoints, Settings());
        _playlists.Add(app);
        if (subscribe) await Sidecar.ConnectAppAsync(app.BaseAddress, appId);
        await Eventually.HoldsAsync(async () => (await app.Http.GetAsync("health/ready")).IsSuccessStatusCode, ok => ok, $"{appId} ready", 30);
        return app;
    }

    /// <summary>Keys in the test's bucket under <paramref name="prefix"/>, read straight from Ceph.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        var marker = "";
        while (true)
        {
            var page = await _s3.ListAsync(prefix, marker, 1000, "", CancellationToken.None);
            keys.AddRange(page.Objects.Select(o => o.Key));
            if (!page.IsTruncated || page.Objects.Count == 0) return keys;
            marker = page.NextMarker ?? page.Objects[^1].Key;
        }
    }

    public Task<byte[]?> ObjectAsync(string key) => _s3.GetAsync(key, CancellationToken.None);

    public async Task<HttpResponseMessage> AddStreamAsync(string id, string source, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/streams") { Content = JsonContent.Create(new { id, source }) };
        if (apiKey is not null) request.Headers.Add("X-Api-Key", apiKey);
        return await Ingest.Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _playlists) await p.DisposeAsync();
        if (Inference is not null) await Inference.DisposeAsync();
        if (Ingest is not null) await Ingest.DisposeAsync();
        if (_modelServer is not null) await _modelServer.DisposeAsync();
        if (Sidecar is not null) await Sidecar.DisposeAsync();
        _s3?.Dispose();
        _tmp.Dispose();
    }
}
