using System.Text.Json.Nodes;
using DaprVideo.Core.Events;
using DaprVideo.Notifier;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Tests.Notifier;

public sealed class NotificationTests
{
    private static TrackEventChanged Change(string change, string id = "gate.4", string stream = "gate") => new(
        stream, id, change, "car", DateTimeOffset.UnixEpoch, null, 2, null, 0.7f, ["drive"], "k.json", "k.jpg", "k-crop.jpg");

    [Fact]
    public void Starts_and_ends_are_sent_updates_only_when_asked_and_the_body_is_the_change_as_the_topic_carries_it()
    {
        var started = Notification.For(Change(TrackEventChanged.Started), NotificationFilter.Default)!;
        Assert.Equal("gate.4:started", started.Key);
        var body = JsonNode.Parse(started.Body.Span)!.AsObject();
        Assert.Equal(["streamId", "eventId", "change", "label", "start", "end", "startSeconds", "endSeconds", "maxScore", "zones", "eventKey", "snapshotKey", "cropKey"],
            body.Select(p => p.Key));
        Assert.Equal("gate.4:ended", Notification.For(Change(TrackEventChanged.Ended), NotificationFilter.Default)!.Key);
        Assert.Null(Notification.For(Change(TrackEventChanged.Updated), NotificationFilter.Default));
        var update = Notification.For(Change(TrackEventChanged.Updated), new NotificationFilter(IncludeUpdates: true))!;
        Assert.StartsWith("gate.4:updated:", update.Key, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("moved", "gate.4", "gate")]
    [InlineData("started", "other.4", "gate")]
    [InlineData("started", "gate", "gate")]
    public void A_change_that_is_not_one_is_poison(string change, string id, string stream) =>
        Assert.Throws<InvalidDataException>(() => Notification.For(Change(change, id, stream), NotificationFilter.Default));

    [Fact]
    public void Urls_in_error_texts_lose_userinfo_and_query()
    {
        Assert.Equal("Post \"https://hooks.example/in\": dial tcp: refused",
            SafeText.Redact("Post \"https://u:p@hooks.example/in?token=s3cret\": dial tcp: refused"));
        Assert.Equal("http://127.0.0.1:8080/x", SafeText.Shown(new Uri("http://a:b@127.0.0.1:8080/x?k=v#f")));
    }

    [Fact]
    public async Task One_failing_output_does_not_stop_the_others_and_a_redelivery_goes_only_to_it()
    {
        var calls = new List<string>();
        var failing = true;
        var logger = new Logged();
        var fanOut = new NotificationFanOut(["webhook", "mqtt", "audit"], (output, n, ct) =>
        {
            lock (calls) calls.Add(output);
            return output == "mqtt" && failing ? Task.FromException(new IOException("connect https://x:y@broker.example/?pw=z failed")) : Task.CompletedTask;
        }, logger);
        var notification = Notification.For(Change(TrackEventChanged.Started), NotificationFilter.Default)!;

        var e = await Assert.ThrowsAsync<NotificationFailedException>(() => fanOut.DeliverAsync(notification, CancellationToken.None));
        Assert.Equal(["mqtt"], e.Outputs);
        Assert.Equal(["audit", "mqtt", "webhook"], calls.Order(StringComparer.Ordinal));
        var line = Assert.Single(logger.Lines);
        Assert.Contains("https://broker.example/", line, StringComparison.Ordinal);
        Assert.DoesNotContain("pw=z", line, StringComparison.Ordinal);
        Assert.DoesNotContain("x:y", line, StringComparison.Ordinal);

        failing = false;
        calls.Clear();
        await fanOut.DeliverAsync(notification, CancellationToken.None);
        Assert.Equal(["mqtt"], calls);
        calls.Clear();
        await fanOut.DeliverAsync(notification, CancellationToken.None); // a duplicate delivery: nothing is sent twice here
        Assert.Empty(calls);
    }

    [Fact]
    public void The_ledger_forgets_its_oldest_entries_first()
    {
        var ledger = new DeliveredLedger(capacity: 2);
        ledger.Add("a", "w");
        ledger.Add("b", "w");
        ledger.Add("c", "w");
        Assert.False(ledger.Contains("a", "w"));
        Assert.True(ledger.Contains("b", "w") && ledger.Contains("c", "w"));
    }

    private sealed class Logged : ILogger
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lock (_lines) _lines.Add(formatter(state, exception));
        }
    }
}
