using System.Net.Sockets;
using System.Reflection;
using Amazon.S3.Model;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.DaprSidecar.Brokers;
using DaprVideo.Tests.DaprSidecar.Runtime;
using DaprVideo.Tests.DaprSidecarTests.Runtime;
using DaprVideo.Tests.Infrastructure;

namespace DaprVideo.Tests.Distributed.RunFile;

/// <summary>
/// <c>dapr run -f .</c> as the Dapr CLI does it (dapr/cli cmd/run.go, pkg/runfileconfig): the repository's own
/// dapr.yaml and components/ are copied into a scratch folder laid out like the repository (services/&lt;App&gt;
/// with the build output linked in, so nothing is built here: the apps run what the solution build produced),
/// the run file is read as the CLI reads it, and each app is started from its <c>command</c> in its
/// <c>appDirPath</c> with the environment the CLI gives it, beside its own daprd stand-in that loaded the
/// resources daprd would load from that folder. The sidecars share the broker (a real redis-server, or the Kafka
/// model) and the object store (a private bucket on the real Ceph RGW).
/// What differs from a user's machine: the secrets file holds the test Ceph's keys, the component endpoints point at
/// the test's Ceph and Redis (<see cref="Overrides"/>), ports are free ones instead of the run file's fixed ones so
/// replicas can run side by side, and <see cref="ExtraEnvironment"/> shortens segments. Not modelled from the CLI and
/// daprd: each sidecar is up before its app starts (no start-up race), the app health check is probed once at start
/// (daprd goes on probing and pauses subscriptions while the app is unhealthy), and the model server, which is scoped
/// out of every component, runs without the idle daprd the CLI would give it.
/// </summary>
public sealed class DaprRunEmulation : IAsyncDisposable
{
    private readonly TempDirectory _scratch = new();
    private RepoLayoutCopy _layout = null!;
    private readonly List<RunningApp> _apps = [];
    private DaprRunFile _runFile = null!;

    private DaprRunEmulation(CephRgwFixture ceph) => Ceph = ceph;

    public CephRgwFixture Ceph { get; }

    public string Bucket { get; } = "dv-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Where the apps may read local media from (MEDIA_DIRS).</summary>
    public string MediaDirectory => _scratch.File("media");

    /// <summary>Scratch space of the apps (outside the repository layout).</summary>
    public string Scratch => _scratch.Path;

    /// <summary>The scratch copy of the repository layout.</summary>
    public string Root => _layout.Root;

    public DaprRunFile RunFile => _runFile;

    public IReadOnlyList<RunningApp> Apps => _apps;

    /// <summary>Per-instance timing of objects stored through the binding (first put per key).</summary>
    public List<TimedObjectBackend> Stores { get; } = [];

    public KafkaClusterModel? Kafka { get; private set; }

    public Dictionary<(string Component, string Key), string> Overrides { get; } = [];

    public Dictionary<string, string> ExtraEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Lays out the scratch repository: dapr.yaml passed through <paramref name="editRunFile"/> (the edit the docs tell a
    /// user to make, e.g. the Kafka switch), components/ as committed, the secrets file, services/&lt;App&gt;/bin linked to
    /// the build output.
    /// </summary>
    public static async Task<DaprRunEmulation> CreateAsync(CephRgwFixture ceph, string? redisHost, KafkaClusterModel? kafka, Func<string, string>? editRunFile = null)
    {
        var run = new DaprRunEmulation(ceph) { Kafka = kafka };
        try
        {
            await run.LayOutAsync(redisHost, editRunFile);
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
        return run;
    }

    private async Task LayOutAsync(string? redisHost, Func<string, string>? editRunFile)
    {
        Directory.CreateDirectory(MediaDirectory);
        // What a user does once: copy the secrets template and fill in the keys.
        _layout = new RepoLayoutCopy(editRunFile, new Dictionary<string, string>
        {
            ["s3-access-key"] = Ceph.AccessKey,
            ["s3-secret-key"] = Ceph.SecretKey,
        });

        _runFile = DaprRunFile.Load(_layout.RunFile);
        var configuration = typeof(DaprRunEmulation).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        foreach (var app in _runFile.Apps)
        {
            var relative = Path.GetRelativePath(Root, app.AppDirPath);
            var built = Path.Combine(RepoPaths.Root, relative, "bin", configuration);
            if (!Directory.Exists(built))
                throw new InvalidOperationException($"{app.AppId}: no build output at {built}; build the solution first (dotnet build DaprVideo.sln -c {configuration}).");
            Directory.CreateDirectory(Path.Combine(app.AppDirPath, "bin"));
            // The run file names bin/Release/...: the test's own configuration stands in for it.
            File.CreateSymbolicLink(Path.Combine(app.AppDirPath, "bin", "Release"), built);
        }

        using (var s3 = Ceph.CreateS3Client()) await s3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        Overrides[("objectstore", "endpoint")] = Ceph.Endpoint;
        Overrides[("objectstore", "bucket")] = Bucket;
        if (redisHost is not null) Overrides[("pubsub", "redisHost")] = redisHost;
    }

    /// <summary>Starts one instance of <paramref name="appId"/> (a replica when called again) and waits until it is healthy and subscribed.</summary>
    public async Task<RunningApp> StartAsync(string appId, IReadOnlyDictionary<string, string>? environment = null)
    {
        var app = _runFile.Apps.SingleOrDefault(a => a.AppId == appId) ?? throw new ArgumentException($"no app {appId} in dapr.yaml", nameof(appId));
        var resources = SidecarResources.Load(app, Overrides);
        TimedObjectBackend? timed = null;
        var options = DaprdComponents.Options(resources, appId, app.MaxBodyBytes, Kafka, backend => timed = new TimedObjectBackend(backend));
        var sidecar = await DaprSidecarStandIn.StartAsync(options);
        if (timed is not null) lock (Stores) Stores.Add(timed);

        var port = FreePort();
        var env = new Dictionary<string, string>(app.AppProcessEnvironment(sidecar.HttpPort, sidecar.GrpcPort), StringComparer.Ordinal)
        {
            ["APP_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in ExtraEnvironment) env[k] = v;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) env[k] = v;
        var name = $"{appId}#{_apps.Count(a => a.AppId == appId)}";
        var process = AppProcess.Start(name, app.Command, app.AppDirPath, env);
        var running = new RunningApp(appId, name, new Uri($"http://127.0.0.1:{port}/"), process, sidecar);
        _apps.Add(running);

        // daprd waits for the app's port and, with health checks on, for a healthy answer, then reads /dapr/subscribe.
        await Eventually.HoldsAsync(async () => process.HasExited ? $"exited {process.ExitCode}"
                : app.AppHealthCheckPath is { } health ? await running.ProbeAsync(health) : await running.PortOpenAsync(),
            s => s is "OK" || s.StartsWith("exited", StringComparison.Ordinal), $"{name} up", 120);
        if (process.HasExited) throw new InvalidOperationException($"{name} exited with {process.ExitCode}:\n{process.Output}");
        await sidecar.ConnectAppAsync(running.BaseAddress, appId);
        return running;
    }

    /// <summary>An app's Dapr-less process (the model server: scoped out of every component, its sidecar idle).</summary>
    public async Task<AppProcess> StartPlainAsync(string appId, string readyUrl)
    {
        var app = _runFile.Apps.Single(a => a.AppId == appId);
        var process = AppProcess.Start(appId, app.Command, app.AppDirPath, app.AppProcessEnvironment(0, 0));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(async () =>
        {
            if (process.HasExited) return $"exited {process.ExitCode}";
            try
            {
                using var r = await http.GetAsync(readyUrl);
                return r.IsSuccessStatusCode ? "OK" : ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException e)
            {
                return e.Message;
            }
        }, s => s is "OK" || s.StartsWith("exited", StringComparison.Ordinal), $"{appId} ready", 120);
        if (process.HasExited) throw new InvalidOperationException($"{appId} exited with {process.ExitCode}:\n{process.Output}");
        _plain.Add(process);
        return process;
    }

    private readonly List<AppProcess> _plain = [];

    /// <summary>Everything the processes printed, for a failing test's message.</summary>
    public string Logs() => string.Join("\n", _apps.Select(a => $"--- {a.Name}\n{a.Process.Output}").Concat(_plain.Select(p => $"--- {p.Name}\n{p.Output}")));

    public async Task StopAsync(RunningApp app)
    {
        // A pod going away: the sidecar stops delivering, the app gets SIGTERM.
        await app.Sidecar.DisposeAsync();
        await app.Process.StopAsync(TimeSpan.FromSeconds(30));
        _apps.Remove(app);
        app.Http.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps.ToList())
        {
            await app.Sidecar.DisposeAsync();
            await app.Process.DisposeAsync();
            app.Http.Dispose();
        }
        foreach (var p in _plain) await p.DisposeAsync();
        _layout?.Dispose();
        _scratch.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One started app instance and its sidecar.</summary>
public sealed class RunningApp(string appId, string name, Uri baseAddress, AppProcess process, DaprSidecarStandIn sidecar)
{
    public string AppId { get; } = appId;
    public string Name { get; } = name;
    public Uri BaseAddress { get; } = baseAddress;
    public AppProcess Process { get; } = process;
    public DaprSidecarStandIn Sidecar { get; } = sidecar;
    public HttpClient Http { get; } = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<string> PortOpenAsync()
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(BaseAddress.Host, BaseAddress.Port);
            return "OK";
        }
        catch (SocketException e)
        {
            return e.Message;
        }
    }

    public async Task<string> ProbeAsync(string path)
    {
        try
        {
            using var response = await Http.GetAsync(path.TrimStart('/'));
            return response.IsSuccessStatusCode ? "OK" : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e.Message;
        }
    }
}
