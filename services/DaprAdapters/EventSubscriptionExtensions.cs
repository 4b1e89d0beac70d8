using System.Text.Json;
using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// Topic subscriptions on Dapr.AspNetCore: each is a POST endpoint announced at <c>/dapr/subscribe</c> through
/// <c>WithTopic</c>, fed by the CloudEvents middleware (which unwraps <c>data</c>), answering 200 with a status.
/// </summary>
public static partial class EventSubscriptionExtensions
{
    /// <summary>Route prefix of subscription endpoints: <c>/events/{topic}</c>.</summary>
    public const string RoutePrefix = "/events/";

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="topic"/> on the configured pub/sub.
    /// Answers SUCCESS when it returns, DROP for a poison message (unreadable JSON, or the handler throws
    /// <see cref="InvalidDataException"/>, <see cref="ArgumentException"/> or <see cref="JsonException"/>),
    /// RETRY for anything else (transient). Dropped messages go to <paramref name="deadLetterTopic"/> if given.
    /// </summary>
    public static RouteHandlerBuilder MapEventSubscription<TEvent>(
        this IEndpointRouteBuilder app,
        string topic,
        Func<TEvent, IServiceProvider, CancellationToken, Task> handler,
        string? deadLetterTopic = null)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);

        var options = app.ServiceProvider.GetRequiredService<DaprOptions>();
        var logger = app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("DaprVideo.Subscriptions");

        return app.MapPost(RoutePrefix + topic, async (HttpContext http) =>
            {
                var eventId = http.Request.Headers["Cloudevent.id"].ToString();
                TEvent? message;
                try
                {
                    message = await JsonSerializer.DeserializeAsync<TEvent>(http.Request.Body, DaprEventPublisher.EventJson, http.RequestAborted);
                }
                catch (JsonException e)
                {
                    LogDropped(logger, topic, eventId, e.Message);
                    return Results.Ok(SubscriptionStatus.Drop);
                }

                if (message is null)
                {
                    LogDropped(logger, topic, eventId, "empty event data");
                    return Results.Ok(SubscriptionStatus.Drop);
                }

                try
                {
                    await handler(message, http.RequestServices, http.RequestAborted);
                    return Results.Ok(SubscriptionStatus.Success);
                }
                catch (Exception e) when (e is InvalidDataException or ArgumentException or JsonException)
                {
                    LogDropped(logger, topic, eventId, e.Message);
                    return Results.Ok(SubscriptionStatus.Drop);
                }
                catch (Exception e)
                {
                    LogRetry(logger, e, topic, eventId, e.Message);
                    return Results.Ok(SubscriptionStatus.Retry);
                }
            })
            .WithTopic(new TopicOptions { PubsubName = options.PubsubName, Name = topic, DeadLetterTopic = deadLetterTopic });
    }

    /// <summary>As above, for handlers that need no services.</summary>
    public static RouteHandlerBuilder MapEventSubscription<TEvent>(
        this IEndpointRouteBuilder app,
        string topic,
        Func<TEvent, CancellationToken, Task> handler,
        string? deadLetterTopic = null)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        return app.MapEventSubscription<TEvent>(topic, (e, _, ct) => handler(e, ct), deadLetterTopic);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DROP event {EventId} on {Topic}: {Reason}")]
    private static partial void LogDropped(ILogger logger, string topic, string eventId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RETRY event {EventId} on {Topic}: {Reason}")]
    private static partial void LogRetry(ILogger logger, Exception exception, string topic, string eventId, string reason);
}
