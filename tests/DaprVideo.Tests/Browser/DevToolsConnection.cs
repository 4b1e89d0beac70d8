using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprVideo.Tests.Browser;

/// <summary>
/// A minimal Chrome DevTools Protocol client over one WebSocket to the browser endpoint. Page sessions share it
/// in flat mode (each message carries its <c>sessionId</c>), so one socket drives every tab.
/// </summary>
public sealed class DevToolsConnection : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _calls = new();
    private readonly ConcurrentDictionary<long, EventWaiter> _waiters = new();
    private readonly CancellationTokenSource _stop = new();
    private long _nextId;
    private Task _receiving = Task.CompletedTask;

    private DevToolsConnection() { }

    /// <summary>Console messages and uncaught page exceptions, newest last, for failure messages.</summary>
    public ConcurrentQueue<string> PageLog { get; } = new();

    public static async Task<DevToolsConnection> ConnectAsync(Uri browserEndpoint, CancellationToken cancellationToken)
    {
        var connection = new DevToolsConnection();
        await connection._socket.ConnectAsync(browserEndpoint, cancellationToken);
        connection._receiving = Task.Run(connection.ReceiveLoopAsync, CancellationToken.None);
        return connection;
    }

    /// <summary>Sends a command and returns its <c>result</c>; a protocol error throws with the browser's message.</summary>
    public async Task<JsonElement> CallAsync(string method, JsonObject? parameters = null, string? sessionId = null, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (sessionId is not null) message["sessionId"] = sessionId;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message);

        await _sendLock.WaitAsync(_stop.Token);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        }
        finally
        {
            _sendLock.Release();
        }

        try
        {
            return await reply.Task.WaitAsync(timeout ?? CallTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"DevTools call {method} got no answer within {(timeout ?? CallTimeout).TotalSeconds:F0} s.");
        }
        finally
        {
            _calls.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// A task for the next event named <paramref name="method"/> of <paramref name="sessionId"/>. Register it before
    /// the command that causes the event, then await it.
    /// </summary>
    public Task<JsonElement> NextEventAsync(string method, string? sessionId)
    {
        var waiter = new EventWaiter(method, sessionId);
        _waiters[Interlocked.Increment(ref _nextId)] = waiter;
        return waiter.Fired.Task;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                Dispatch(message.GetBuffer().AsMemory(0, (int)message.Length));
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The browser went away or we are closing.
        }
        finally
        {
            var gone = new IOException("The DevTools connection to Chromium closed.");
            foreach (var call in _calls.Values) call.TrySetException(gone);
            foreach (var waiter in _waiters.Values) waiter.Fired.TrySetException(gone);
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.TryGetProperty("id", out var idElement) && _calls.TryGetValue(idElement.GetInt64(), out var call))
        {
            if (root.TryGetProperty("error", out var error))
                call.TrySetException(new InvalidOperationException($"DevTools error: {error.GetRawText()}"));
            else
                call.TrySetResult(root.GetProperty("result").Clone());
            return;
        }
        if (!root.TryGetProperty("method", out var methodElement)) return;
        var method = methodElement.GetString();
        var session = root.TryGetProperty("sessionId", out var s) ? s.GetString() : null;
        var parameters = root.TryGetProperty("params", out var p) ? p.Clone() : default;
        Record(method, parameters);
        foreach (var (key, waiter) in _waiters)
        {
            if (waiter.Method == method && waiter.SessionId == session && _waiters.TryRemove(key, out _))
                waiter.Fired.TrySetResult(parameters);
        }
    }

    private void Record(string? method, JsonElement parameters)
    {
        string? line = method switch
        {
            "Runtime.consoleAPICalled" => $"console.{parameters.GetProperty("type").GetString()}: " +
                string.Join(' ', parameters.GetProperty("args").EnumerateArray().Select(a =>
                    a.TryGetProperty("value", out var v) ? v.ToString() : a.TryGetProperty("description", out var d) ? d.GetString() : "?")),
            "Runtime.exceptionThrown" => "exception: " + (parameters.GetProperty("exceptionDetails").TryGetProperty("exception", out var ex)
                && ex.TryGetProperty("description", out var desc) ? desc.GetString() : parameters.GetProperty("exceptionDetails").GetProperty("text").GetString()),
            "Log.entryAdded" => $"log.{parameters.GetProperty("entry").GetProperty("level").GetString()}: {parameters.GetProperty("entry").GetProperty("text").GetString()}",
            _ => null,
        };
        if (line is null) return;
        PageLog.Enqueue(line);
        while (PageLog.Count > 200) PageLog.TryDequeue(out _);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException)
        {
            // The browser may already be gone.
        }
        try { await _receiving.WaitAsync(TimeSpan.FromSeconds(2)); }
        catch (TimeoutException) { /* abandoned with the socket below */ }
        _socket.Dispose();
        _sendLock.Dispose();
        _stop.Dispose();
    }

    private sealed record EventWaiter(string Method, string? SessionId)
    {
        public TaskCompletionSource<JsonElement> Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
