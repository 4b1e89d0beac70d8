using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DaprVideo.Tests.Browser;

/// <summary>
/// A live HTTP camera on 127.0.0.1 whose every frame shows the wall clock it was made at, in a form a page can read
/// back from the pixels (<see cref="ClockProbe"/>). Each <c>GET /clock.ts</c> starts its own ffmpeg, as a camera
/// starts a session per client: ffmpeg's testsrc2 read in real time (<c>-re</c>), each frame stamped by
/// <c>setpts=RTCTIME</c> with the epoch microseconds when it passes the filter (RTCTIME: libavfilter's wall clock), and
/// that time in milliseconds, modulo 2^32, drawn by <c>geq</c> as 32 black/white blocks with their complement in
/// a second row underneath (a misread block shows as a pair that does not differ). H.264 without B-frames and a
/// keyframe every second, as a camera sends it, in MPEG-TS until the client hangs up. Also used by bench/LatencyBench.
/// </summary>
public sealed class ClockCamera : IAsyncDisposable
{
    public const string Path = "/clock.ts";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Process> _sessions = [];
    private readonly Task _loop;
    private int _requests;

    public ClockCamera(int width = 640, int height = 360, int rate = 25)
    {
        if (width % 40 != 0 || height % 2 != 0 || height < 90)
            throw new ArgumentException("The frame width must be a multiple of 40 and the height even and at least 90 pixels.");
        (Width, Height, Rate) = (width, height, rate);
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Width { get; }
    public int Height { get; }
    public int Rate { get; }

    /// <summary>Sessions (GET requests for the stream) so far: the ingest probes once, then reads.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{Path}";

    /// <summary>The ffmpeg arguments of one session, writing MPEG-TS to stdout.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var code = ClockProbe.Geometry(Width, Height);
        // Bit k (most significant first) of the milliseconds modulo 2^32; the frame's T is its epoch time in seconds.
        const string bit = "mod(floor(mod(floor(T*1000)\\,4294967296)/pow(2\\,31-X))\\,2)";
        var graph = string.Create(CultureInfo.InvariantCulture,
            $"[0:v]settb=1/1000000,setpts=RTCTIME,split[bg][c];" +
            $"[c]crop={ClockProbe.Bits}:2:0:0,format=gray,geq=lum='255*if(lt(Y\\,1)\\,{bit}\\,1-{bit})'," +
            $"scale={code.Block * ClockProbe.Bits}:{code.Block * 2}:flags=neighbor,format=yuv420p[code];" +
            $"[bg][code]overlay={code.X}:{code.Y}:format=yuv420,setpts=N/({Rate}*TB)[out]");
        return ["-hide_banner", "-nostdin", "-loglevel", "error",
            "-re", "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=size={Width}x{Height}:rate={Rate}"),
            "-filter_complex", graph, "-map", "[out]",
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
            "-g", Rate.ToString(CultureInfo.InvariantCulture), "-keyint_min", Rate.ToString(CultureInfo.InvariantCulture),
            "-f", "mpegts", "-flush_packets", "1", "-muxdelay", "0", "pipe:1"];
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            Process? ffmpeg = null;
            try
            {
                client.NoDelay = true;
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 8192
                       && await stream.ReadAsync(buffer, _stop.Token) == 1)
                    head.Append((char)buffer[0]);
                var requestLine = head.ToString().Split("\r\n")[0].Split(' ');
                if (requestLine.Length < 2 || requestLine[1] != Path)
                {
                    await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
                    return;
                }
                Interlocked.Increment(ref _requests);
                // No Content-Length: the body is the stream, until one side closes (HTTP/1.1 with Connection: close).
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
                ffmpeg = StartSession();
                await ffmpeg.StandardOutput.BaseStream.CopyToAsync(stream, 4 * 1316, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client hung up (the ingest probes, then reconnects) or we are stopping.
            }
            finally
            {
                if (ffmpeg is not null) End(ffmpeg);
            }
        }
    }

    private Process StartSession()
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Arguments()) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start.");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        lock (_sessions) _sessions.Add(process);
        return process;
    }

    /// <summary>Stops a session once: whoever takes it off the list (its connection or the dispose) kills it.</summary>
    private void End(Process process)
    {
        lock (_sessions)
            if (!_sessions.Remove(process)) return;
        try
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; }
        catch (OperationCanceledException) { /* stopped */ }
        Process[] left;
        lock (_sessions) left = [.. _sessions];
        foreach (var process in left) End(process);
        _stop.Dispose();
    }
}
