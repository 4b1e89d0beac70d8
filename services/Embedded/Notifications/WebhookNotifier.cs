using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using DaprVideo.Core.Events;
using DaprVideo.Notifier;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace DaprVideo.Embedded.Notifications;

/// <summary>
/// Embedded notifications (EVENTS_WEBHOOK_URL): subscribed to the in-process bus's <c>events</c>, it POSTs each change
/// the filter sends (<see cref="Notification"/>: the same JSON body and <c>Idempotency-Key</c> the distributed
/// Notifier sends through its bindings) to one webhook. It never holds the pipeline up: <see cref="OnChangeAsync"/>
/// only queues, into a bounded queue that drops its oldest entry when full (counted and logged), and one worker sends,
/// retrying transient failures (connection errors, timeouts, 408, 429, 5xx) with exponential backoff and jitter for a
/// bounded number of attempts (Polly); any other status is final. A stop sends what is queued for
/// <see cref="WebhookOptions.DrainTimeout"/>, then gives up the rest. Userinfo in the URL is sent as Basic
/// authentication; neither it nor the query is ever logged.
/// </summary>
public sealed partial class WebhookNotifier : IHostedService, IAsyncDisposable
{
    private readonly WebhookOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly Uri _target;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly string _shownUrl;
    private readonly Channel<Notification> _queue;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private long _dropped;
    private long _sent;
    private long _givenUp;
    private int _stopped;

    /// <param name="handler">The HTTP handler (tests); a fresh SocketsHttpHandler when null.</param>
    public WebhookNotifier(WebhookOptions options, ILogger<WebhookNotifier> logger, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(options.Url.Host))
            throw new ArgumentException("The webhook must be an absolute http or https URL.", nameof(options));
        _options = options;
        _logger = logger;
        _shownUrl = SafeText.Shown(options.Url);
        (_target, _authorization) = WithoutUserInfo(options.Url);
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // the pipeline's per-attempt timeout decides
        };
        _queue = Channel.CreateBounded<Notification>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            OnDropped);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider ?? TimeProvider.System };
        _pipeline = builder
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(0, options.MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.FirstRetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsTransient(r.StatusCode)),
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Notifications dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Notifications the webhook took (2xx).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Notifications given up: attempts spent, a final status, or left at the stop.</summary>
    public long GivenUp => Interlocked.Read(ref _givenUp);

    /// <summary>Notifications waiting.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>
    /// The bus handler: queues the change's notification and returns at once (never waits for the webhook). A change
    /// that is not one (unknown kind, bad id) is logged and skipped: the webhook would not be helped by a retry.
    /// </summary>
    public Task OnChangeAsync(TrackEventChanged change, CancellationToken cancellationToken)
    {
        Notification? notification;
        try
        {
            notification = Notification.For(change, _options.Filter);
        }
        catch (InvalidDataException e)
        {
            LogSkipped(_logger, e.Message);
            return Task.CompletedTask;
        }
        if (notification is not null && !_queue.Writer.TryWrite(notification))
            Interlocked.Increment(ref _givenUp); // written after the stop began
        return Task.CompletedTask;
    }

    private void OnDropped(Notification dropped)
    {
        var count = Interlocked.Increment(ref _dropped);
        // Every drop counts; the log says so at the first and then every 100th, not once per notification of a flood.
        if (count == 1 || count % 100 == 0) LogDropped(_logger, dropped.Key, count, _options.QueueCapacity);
    }

    private async Task WorkAsync()
    {
        var ct = _stopping.Token;
        try
        {
            await foreach (var notification in _queue.Reader.ReadAllAsync(ct))
                await SendAsync(notification, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stop: what is still queued is counted below.
        }
    }

    private async Task SendAsync(Notification notification, CancellationToken ct)
    {
        try
        {
            using var response = await _pipeline.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _target)
                {
                    Content = new ReadOnlyMemoryContent(notification.Body),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(Notification.ContentType) { CharSet = "utf-8" };
                request.Headers.TryAddWithoutValidation(Notification.KeyHeader, notification.Key);
                request.Headers.Authorization = _authorization;
                return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            }, ct);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _sent);
                return;
            }
            Interlocked.Increment(ref _givenUp);
            LogGivenUp(_logger, notification.Key, _shownUrl, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or IOException && !ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _givenUp);
            var reason = SafeText.Redact(e.Message);
            LogGivenUp(_logger, notification.Key, _shownUrl, reason);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _givenUp);
            throw;
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static (Uri, AuthenticationHeaderValue?) WithoutUserInfo(Uri url)
    {
        if (string.IsNullOrEmpty(url.UserInfo)) return (url, null);
        var credentials = Uri.UnescapeDataString(url.UserInfo);
        var bare = new UriBuilder(url) { UserName = "", Password = "" }.Uri;
        return (bare, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogSendingTo(_logger, _shownUrl, _options.Filter.IncludeUpdates ? "started, updated, ended" : "started, ended");
        return Task.CompletedTask;
    }

    /// <summary>Stops taking notifications, sends the queue for at most <see cref="WebhookOptions.DrainTimeout"/> (or until <paramref name="cancellationToken"/>), then gives up the rest.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        _queue.Writer.TryComplete();
        try
        {
            await _worker.WaitAsync(_options.DrainTimeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Out of time: the attempt in flight is cancelled below.
        }
        await _stopping.CancelAsync();
        await _worker;
        var left = 0;
        while (_queue.Reader.TryRead(out _)) left++;
        if (left > 0)
        {
            Interlocked.Add(ref _givenUp, left);
            LogLeft(_logger, left);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _http.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending {Changes} events to the webhook {Url}")]
    private static partial void LogSendingTo(ILogger logger, string url, string changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook queue full ({Capacity}): dropped the oldest notification {Key}; {Count} dropped so far")]
    private static partial void LogDropped(ILogger logger, string key, long count, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Key} to the webhook {Url} given up: {Reason}")]
    private static partial void LogGivenUp(ILogger logger, string key, string url, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stop: {Count} notification(s) not sent to the webhook in time")]
    private static partial void LogLeft(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event change skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);
}
