using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DaprVideo.Tests.Infrastructure;

/// <summary>
/// A real redis-server on loopback (no persistence), started once for every test in
/// <see cref="RedisServerCollectionDefinition"/> and killed at the end. If redis-server is missing or does not
/// answer PING, every test of the collection fails with that reason.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private const string Binary = "redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private Process? _process;
    private readonly StringBuilder _output = new();

    /// <summary>host:port, e.g. 127.0.0.1:41234 (the pubsub.redis redisHost value).</summary>
    public string Host { get; private set; } = "";

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        var path = FindOnPath(Binary) ?? throw new InvalidOperationException(
            "redis-server is not installed; run scripts/require-packages.sh test (Debian package redis-server).");
        Port = FreeLoopbackPort();
        Host = $"127.0.0.1:{Port}";
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            info.ArgumentList.Add(arg);
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-server");
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await AnswersPingAsync())
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"redis-server exited ({_process.ExitCode}) before answering PING: {Output()}");
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"redis-server did not answer PING on {Host} within {StartTimeout.TotalSeconds:0} s: {Output()}");
            await Task.Delay(50); // polling a real condition
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private string Output()
    {
        lock (_output) return _output.ToString().Trim();
    }

    // RESP inline PING over a plain socket, so readiness does not depend on the client library under test.
    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var read = await stream.ReadAsync(buffer, cts.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
