using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// A camera-like HTTP source on 127.0.0.1 that needs HTTP Basic credentials: without them (or with wrong ones) it answers
/// 401 with a Basic challenge; with them it streams an MPEG-TS file paced at <c>speed</c> x real time, so a capture of it
/// is still running when the test stops the host. It records who asked, when, and with which credentials.
/// </summary>
public sealed class AuthenticatedStreamServer : IAsyncDisposable
{
    public sealed record Request(DateTimeOffset At, string? Username, string? Password, bool Accepted);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _ts;
    private readonly double _bytesPerSecond;
    private readonly string _username;
    private readonly string _password;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Request> _requests = [];
    private readonly Task _loop;

    public AuthenticatedStreamServer(byte[] ts, double durationSeconds, string username, string password, double speed = 2)
    {
        _ts = ts;
        _bytesPerSecond = ts.Length / durationSeconds * speed;
        _username = username;
        _password = password;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    public IReadOnlyList<Request> Requests { get { lock (_requests) return [.. _requests]; } }

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
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var one = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, _stop.Token) == 1)
                    head.Append((char)one[0]);
                string? user = null, password = null;
                foreach (var line in head.ToString().Split("\r\n"))
                {
                    if (!line.StartsWith("Authorization: Basic ", StringComparison.OrdinalIgnoreCase)) continue;
                    var pair = Encoding.UTF8.GetString(Convert.FromBase64String(line["Authorization: Basic ".Length..].Trim()));
                    var colon = pair.IndexOf(':', StringComparison.Ordinal);
                    (user, password) = colon < 0 ? (pair, "") : (pair[..colon], pair[(colon + 1)..]);
                }
                var accepted = user == _username && password == _password;
                lock (_requests) _requests.Add(new Request(DateTimeOffset.UtcNow, user, password, accepted));
                if (!accepted)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"camera\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
                    return;
                }
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nConnection: close\r\n\r\n"), _stop.Token);
                var clock = Stopwatch.StartNew();
                var sent = 0;
                while (sent < _ts.Length)
                {
                    var due = (int)Math.Min(_ts.Length, clock.Elapsed.TotalSeconds * _bytesPerSecond + 188 * 64);
                    if (due > sent)
                    {
                        await stream.WriteAsync(_ts.AsMemory(sent, due - sent), _stop.Token);
                        sent = due;
                    }
                    await Task.Delay(50, _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or FormatException)
            {
                // the reader hung up (probe done, capture stopped)
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
