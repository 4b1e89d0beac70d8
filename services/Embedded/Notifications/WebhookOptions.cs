using DaprVideo.Notifier;
using DaprVideo.Settings;

namespace DaprVideo.Embedded.Notifications;

/// <summary>
/// The embedded webhook: where (EVENTS_WEBHOOK_URL, http or https, checked at start), which changes (NOTIFY_UPDATES),
/// how hard it tries (attempts with exponential backoff and jitter, a per-attempt timeout) and how much it holds
/// (a bounded queue: when the receiver cannot keep up, the oldest notification goes first).
/// </summary>
public sealed record WebhookOptions(Uri Url)
{
    public NotificationFilter Filter { get; init; } = NotificationFilter.Default;

    /// <summary>Notifications waiting to be sent; past it the oldest is dropped (and counted in the log).</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>Attempts per notification, the first included.</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Wait before the first retry; doubled per retry (with jitter) up to <see cref="MaxRetryDelay"/>: about 30 s in all.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>One POST's deadline.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At a stop, how long the queue may still be sent before what is left is given up.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>EVENTS_WEBHOOK_URL and NOTIFY_UPDATES; null when no webhook is set. A bad URL throws naming the variable, never quoting it.</summary>
    public static WebhookOptions? From(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var url = settings.Url(SettingsCatalogue.EventsWebhookUrl);
        return url is null ? null : new WebhookOptions(url) { Filter = NotificationFilter.From(settings) };
    }
}
