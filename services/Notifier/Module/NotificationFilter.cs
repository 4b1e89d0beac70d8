using DaprVideo.Core.Events;
using DaprVideo.Settings;

namespace DaprVideo.Notifier;

/// <summary>
/// Which changes reach people: an event's start and its end. Updates (a higher score, a new zone) come at up to one per
/// analysed frame while an object is in view; a person wants "someone is at the door" and "they left", not a stream of
/// score changes, so they are sent only when <see cref="IncludeUpdates"/> (NOTIFY_UPDATES) asks for them.
/// </summary>
public sealed record NotificationFilter(bool IncludeUpdates = false)
{
    public static NotificationFilter Default { get; } = new();

    public static NotificationFilter From(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new NotificationFilter(settings.Switch(SettingsCatalogue.NotifyUpdates));
    }

    public bool Sends(string change) => change switch
    {
        TrackEventChanged.Started or TrackEventChanged.Ended => true,
        TrackEventChanged.Updated => IncludeUpdates,
        _ => false,
    };
}
