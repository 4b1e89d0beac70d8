using DaprVideo.Core.Events;
using DaprVideo.DaprAdapters;
using DaprVideo.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Notifier;

/// <summary>
/// Dapr app "notifier": subscribed to <c>events</c> (dead letters to <c>notifications-dead</c>); each change the
/// <see cref="NotificationFilter"/> sends goes to every binding in NOTIFY_BINDINGS (<see cref="BindingSender"/>). A
/// binding that fails answers the delivery RETRY, so daprd's inbound Resiliency policy redelivers it and in the end
/// dead-letters it; a redelivery goes only to the bindings that failed (<see cref="NotificationFanOut"/>).
/// </summary>
public static partial class NotifierApp
{
    /// <summary>Reads <see cref="NotifierSettings"/> (a bad value stops the host here) and adds the fan-out over the sidecar's bindings.</summary>
    public static void AddServices(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = NotifierSettings.From(new SettingsReader(builder.Configuration));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<BindingSender>();
        builder.Services.AddSingleton(sp => new NotificationFanOut(settings.Bindings,
            sp.GetRequiredService<BindingSender>().SendAsync, sp.GetRequiredService<ILoggerFactory>().CreateLogger("DaprVideo.Notifier")));
    }

    /// <summary>The <c>events</c> subscription.</summary>
    public static void MapEndpoints(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<NotifierSettings>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DaprVideo.Notifier");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var bindings = string.Join(",", settings.Bindings);
            var changes = settings.Filter.IncludeUpdates ? "started, updated, ended" : "started, ended";
            if (settings.Bindings.Count == 0) LogNothingToSend(logger);
            else LogSendingTo(logger, bindings, changes);
        });
        app.MapEventSubscription<TrackEventChanged>(Topics.Events, (change, services, ct) =>
        {
            // Poison (unknown change, bad id) throws InvalidDataException here: DROP to the dead-letter topic.
            var notification = Notification.For(change, settings.Filter);
            return notification is null ? Task.CompletedTask : services.GetRequiredService<NotificationFanOut>().DeliverAsync(notification, ct);
        }, NotifierSettings.DeadLetterTopic);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "NOTIFY_BINDINGS is unset: events are acknowledged and sent nowhere")]
    private static partial void LogNothingToSend(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending {Changes} events to bindings {Bindings}")]
    private static partial void LogSendingTo(ILogger logger, string bindings, string changes);
}
