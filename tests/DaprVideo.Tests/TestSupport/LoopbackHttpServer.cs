using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 for ffmpeg to read from: one response per connection,
/// chosen by the handler from the request path and how many requests came before.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    public sealed record Response(int Status, string ContentType, byte[] Body);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, int, Response> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public LoopbackHttpServer(Func<string, int, Response> handler)
    {
        _handler = handler;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Requests => Volatile.Read(ref _requests);

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

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
                var buffer = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal)
                       && await stream.ReadAsync(buffer, _stop.Token) == 1)
                    head.Append((char)buffer[0]);
                var requestLine = head.ToString().Split("\r\n")[0].Split(' ');
                var path = requestLine.Length > 1 ? requestLine[1] : "/";
                var number = Interlocked.Increment(ref _requests) - 1;
                var response = _handler(path, number);
                var header = $"HTTP/1.1 {response.Status} X\r\nContent-Type: {response.ContentType}\r\n" +
                             $"Content-Length: {response.Body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(header), _stop.Token);
                await stream.WriteAsync(response.Body, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // ffmpeg hung up early (it probes and reconnects): nothing to do
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
