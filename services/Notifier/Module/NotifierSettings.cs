using DaprVideo.Settings;

namespace DaprVideo.Notifier;

/// <summary>
/// The Notifier's settings: the output bindings it sends to (NOTIFY_BINDINGS, component names, each once, in the order
/// given) and which changes (NOTIFY_UPDATES). Read once at start; a bad value stops the host naming the variable.
/// </summary>
public sealed record NotifierSettings(IReadOnlyList<string> Bindings, NotificationFilter Filter)
{
    /// <summary>The Notifier's APP_PORT when unset.</summary>
    public const int DefaultPort = 5104;

    /// <summary>Where deliveries go that failed every retry (or were poison): the subscription's dead-letter topic.</summary>
    public const string DeadLetterTopic = "notifications-dead";

    public static NotifierSettings From(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var names = settings.Text(SettingsCatalogue.NotifyBindings)?
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal)
            .ToList() ?? [];
        return new NotifierSettings(names, NotificationFilter.From(settings));
    }
}
