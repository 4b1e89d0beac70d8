using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DaprVideo.Tests.TestSupport;

namespace DaprVideo.Tests.Infrastructure;

/// <summary>Which credentials the test camera asks for (gst-rtsp-server's RTSPAuth methods).</summary>
public enum RtspAuth
{
    None,
    Basic,
    Digest,
}

/// <summary>
/// A real RTSP camera on loopback: GStreamer's gst-rtsp-server (tests/infra/rtsp/rtsp-test-server.py, run by the system
/// /usr/bin/python3) serving a live test pattern as H.264 on <c>/h264</c> and H.265 on <c>/h265</c>, over RTSP/TCP and RTP/UDP.
/// <see cref="StopAsync"/> kills it (the camera drops off: its connections reset) and <see cref="StartAsync"/> brings it back
/// on the same port. As an xUnit class fixture it serves without credentials; tests that need credentials or a drop make
/// their own with <see cref="StartNewAsync"/>.
/// </summary>
public sealed class RtspServerFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string User = "camera";
    public const string Password = "s3cret-Pa55";
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _output = new();
    private Process? _process;

    public RtspServerFixture() : this(RtspAuth.None, rate: 25)
    {
    }

    private RtspServerFixture(RtspAuth auth, int rate)
    {
        Auth = auth;
        Rate = rate;
        Port = FreeLoopbackPort();
    }

    public RtspAuth Auth { get; }

    /// <summary>Frames per second; keyframes every second.</summary>
    public int Rate { get; }

    /// <summary>Chosen once: a restarted server listens on the same port, as a camera coming back would.</summary>
    public int Port { get; }

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RtspServerFixture> StartNewAsync(RtspAuth auth = RtspAuth.None, int rate = 25)
    {
        var server = new RtspServerFixture(auth, rate);
        await server.StartAsync();
        return server;
    }

    /// <summary>rtsp://[user:password@]127.0.0.1:port/mount; credentials when the server asks for them, unless given (user "" for none).</summary>
    public string Url(string mount = "h264", string? user = null, string? password = null)
    {
        user ??= Auth == RtspAuth.None ? null : User;
        password ??= Auth == RtspAuth.None ? null : Password;
        var credentials = string.IsNullOrEmpty(user) ? "" : $"{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password ?? "")}@";
        return string.Create(CultureInfo.InvariantCulture, $"rtsp://{credentials}127.0.0.1:{Port}/{mount}");
    }

    public Task InitializeAsync() => StartAsync();

    Task IAsyncLifetime.DisposeAsync() => StopAsync();

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Starts the server and returns once it prints that it listens.</summary>
    public async Task StartAsync()
    {
        if (IsRunning) throw new InvalidOperationException("The RTSP test server is already running.");
        if (!File.Exists(Python))
            throw new InvalidOperationException($"{Python} is missing; run scripts/require-packages.sh test (python3-gi, gir1.2-gst-rtsp-server-1.0).");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     ScriptPath, "--port", Port.ToString(CultureInfo.InvariantCulture), "--auth", Auth.ToString().ToLowerInvariant(),
                     "--user", User, "--password", Password, "--rate", Rate.ToString(CultureInfo.InvariantCulture),
                 })
            info.ArgumentList.Add(arg);
        lock (_output) _output.Clear();
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the RTSP test server");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
            if (e.Data.StartsWith("RTSP server ready", StringComparison.Ordinal)) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"RTSP test server exited at start: {Output()}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await StopAsync();
            throw new TimeoutException($"RTSP test server did not get ready within {StartTimeout.TotalSeconds:0} s: {Output()}");
        }
    }

    /// <summary>Kills the server (SIGKILL): its clients' connections reset, as when a camera loses power.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null) return;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    public string Output()
    {
        lock (_output) return _output.ToString().Trim();
    }

    public static string ScriptPath => Path.Combine(RepoPaths.Root, "tests", "infra", "rtsp", "rtsp-test-server.py");

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
