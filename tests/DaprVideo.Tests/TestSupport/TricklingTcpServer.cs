using System.Net;
using System.Net.Sockets;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// A TCP server that accepts every connection and sends one byte every <c>interval</c>, forever: a camera that is
/// "there" but yields no video. The bytes keep the socket busy, so ffmpeg's socket timeout never fires.
/// </summary>
public sealed class TricklingTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly TimeSpan _interval;
    private int _connections;

    public TricklingTcpServer(TimeSpan interval)
    {
        _interval = interval;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        var clients = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                clients.Add(TrickleAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        await Task.WhenAll(clients);
    }

    private async Task TrickleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                // Looks like the start of an RTSP answer, then never finishes the line.
                foreach (var b in "RTSP/1.0 200 OK"u8.ToArray().Concat(Enumerable.Repeat((byte)' ', int.MaxValue)))
                {
                    await stream.WriteAsync(new[] { b }, _stop.Token);
                    await Task.Delay(_interval, _stop.Token); // the trickle's pace: this is the behaviour under test, not a synchronisation
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // client gone or stopping
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
