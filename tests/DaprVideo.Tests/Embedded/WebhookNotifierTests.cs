using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using DaprVideo.Core.Events;
using DaprVideo.Embedded;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Embedded.Cli;
using DaprVideo.Embedded.Notifications;
using DaprVideo.Notifier;
using DaprVideo.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DaprVideo.Tests.Embedded;

/// <summary>EVENTS_WEBHOOK_URL: the embedded notifier against a real Kestrel receiver, fed through the real in-process bus.</summary>
public sealed class WebhookNotifierTests
{
    private static TrackEventChanged Change(string change, long track = 7) => new(
        "yard", $"yard.{track}", change, "cat", DateTimeOffset.UnixEpoch.AddDays(20000), null, 1.5, null, 0.8f, [],
        $"streams/yard/events/yard.{track}.json", $"streams/yard/events/yard.{track}.jpg", $"streams/yard/events/yard.{track}-crop.jpg");

    private static WebhookOptions Fast(Uri url) => new(url)
    {
        FirstRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(5),
        DrainTimeout = TimeSpan.FromSeconds(5),
    };

    private static (InProcessEventBus, WebhookNotifier) Subscribed(WebhookOptions options, ILogger<WebhookNotifier>? logger = null)
    {
        var bus = new InProcessEventBus();
        var notifier = new WebhookNotifier(options, logger ?? NullLogger<WebhookNotifier>.Instance);
        bus.Subscribe<TrackEventChanged>(Topics.Events, notifier.OnChangeAsync);
        return (bus, notifier);
    }

    [Fact]
    public async Task Started_and_ended_changes_are_posted_as_the_shared_notification_body_and_updates_are_not()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var (bus, notifier) = Subscribed(Fast(new Uri(receiver.Url("hook?token=t1"))));
        await using var _ = bus;
        await using var __ = notifier;

        await bus.PublishAsync(Topics.Events, Change(TrackEventChanged.Started));
        await bus.PublishAsync(Topics.Events, Change(TrackEventChanged.Updated));
        await bus.PublishAsync(Topics.Events, Change(TrackEventChanged.Ended));
        await Eventually.HoldsAsync(() => Task.FromResult(notifier.Sent), n => n == 2, "two notifications sent", 30);

        var got = receiver.Accepted;
        Assert.Equal(["started", "ended"], got.Select(r => (string)JsonNode.Parse(r.Body)!["change"]!));
        Assert.All(got, r => Assert.Equal(("POST", "/hook", "?token=t1"), (r.Method, r.Path, r.Query)));
        Assert.All(got, r => Assert.Equal("application/json; charset=utf-8", r.Headers["Content-Type"]));
        Assert.Equal(["yard.7:started", "yard.7:ended"], got.Select(r => r.Headers[Notification.KeyHeader]));
        // One body for both modes: byte for byte what the Notifier sends through its bindings.
        Assert.Equal(Notification.For(Change(TrackEventChanged.Started), NotificationFilter.Default)!.Body.ToArray(), got[0].Body);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_until_the_receiver_takes_it_and_userinfo_becomes_basic_auth()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Answer = n => n < 3 ? 500 : 200;
        var url = new UriBuilder(receiver.Url("in")) { UserName = "ops", Password = "pa ss" }.Uri;
        var (bus, notifier) = Subscribed(Fast(url));
        await using var _ = bus;
        await using var __ = notifier;

        await bus.PublishAsync(Topics.Events, Change(TrackEventChanged.Started));
        await Eventually.HoldsAsync(() => Task.FromResult(notifier.Sent), n => n == 1, "the notification to arrive", 30);

        Assert.Equal([500, 500, 500, 200], receiver.Requests.Select(r => r.Status));
        Assert.All(receiver.Requests, r => Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:pa ss")), r.Headers["Authorization"]));
        Assert.Equal(0, notifier.GivenUp);
    }

    [Fact]
    public async Task A_client_error_is_final_and_the_attempts_are_bounded()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Answer = n => n == 0 ? 400 : 503;
        var (bus, notifier) = Subscribed(Fast(new Uri(receiver.Url("in"))) with { MaxAttempts = 3 });
        await using var _ = bus;
        await using var __ = notifier;

        await bus.PublishAsync(Topics.Events, Change(TrackEventChanged.Started, 1)); // 400: not retried
        await bus.PublishAsync(Topics.Events, Change(TrackEventChanged.Started, 2)); // 503 x 3: given up
        await Eventually.HoldsAsync(() => Task.FromResult(notifier.GivenUp), n => n == 2, "both to be given up", 30);
        Assert.Equal([400, 503, 503, 503], receiver.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task A_hanging_receiver_never_blocks_publishing_the_queue_drops_its_oldest_and_the_stop_is_bounded()
    {
        await using var receiver = await HookReceiver.StartAsync();
        receiver.Hang = true;
        var logs = new ListLogger();
        var options = Fast(new Uri(receiver.Url("slow"))) with { QueueCapacity = 4, AttemptTimeout = TimeSpan.FromMinutes(5), DrainTimeout = TimeSpan.FromMilliseconds(300) };
        var (bus, notifier) = Subscribed(options, logs);
        await using var _ = bus;

        // 200 events while the receiver holds the first request open: every publish returns, the bus drains.
        for (var i = 1; i <= 200; i++)
            await bus.PublishAsync(Topics.Events, Change(TrackEventChanged.Started, i)).WaitAsync(TimeSpan.FromSeconds(10));
        using (var idle = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            Assert.True(await bus.WhenIdleAsync(idle.Token), "the bus did not drain");
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received), n => n == 1, "the first POST to hang", 20);

        // One in flight; the rest either waits in the queue (at most its capacity) or was dropped, oldest first.
        var queued = notifier.Queued;
        Assert.InRange(queued, options.QueueCapacity - 1, options.QueueCapacity);
        Assert.Equal(200 - 1 - queued, notifier.Dropped);
        Assert.Contains(logs.Lines, l => l.StartsWith("Webhook queue full (4): dropped the oldest notification", StringComparison.Ordinal)
            && l.EndsWith("; 1 dropped so far", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.EndsWith("; 100 dropped so far", StringComparison.Ordinal));

        // The stop drains briefly, then cancels the hanging POST: bounded, and what was left is counted.
        var stopping = Stopwatch.StartNew();
        await notifier.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stop took {stopping.Elapsed}");
        Assert.Equal(1 + queued, notifier.GivenUp);
        Assert.Contains(logs.Lines, l => l.Contains($"Stop: {queued} notification(s) not sent", StringComparison.Ordinal));
        await notifier.DisposeAsync();
    }

    [Fact]
    public async Task Serve_refuses_a_bad_webhook_url_with_one_line_naming_the_variable_and_not_the_url()
    {
        using var tmp = new TempDirectory();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var env = new Dictionary<string, string> { ["EVENTS_WEBHOOK_URL"] = "ftp://ops:hunter2@hooks.example/in?token=s3cret" };

        var code = await CommandLine.RunAsync(["serve", "--port", "0", "--data", tmp.File("data")], stdout, stderr, n => env.GetValueOrDefault(n),
            interactive: false, cancellationToken: CancellationToken.None);

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: EVENTS_WEBHOOK_URL: must be an absolute http or https URL", line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", line, StringComparison.Ordinal);
        Assert.Null(WebhookOptions.From(new SettingsReader(_ => null)));
    }

    [Fact]
    public async Task Serve_sends_the_events_its_pipeline_publishes_to_the_webhook()
    {
        await using var receiver = await HookReceiver.StartAsync();
        await using var host = await ServeHost.StartAsync(webhook: Fast(new Uri(receiver.Url("serve"))));
        var pipeline = host.App.Services.GetRequiredService<EmbeddedPipeline>();

        await pipeline.Bus.PublishAsync(Topics.Events, Change(TrackEventChanged.Ended));
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Accepted.Count), n => n == 1, "serve's notification", 30);
        Assert.Equal("ended", (string)JsonNode.Parse(receiver.Accepted[0].Body)!["change"]!);
    }

    private sealed class ListLogger : ILogger<WebhookNotifier>
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add(formatter(state, exception));
        }
    }
}
