using System.Collections.Concurrent;
using Dapr.Client;
using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;
using DaprVideo.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.DaprAdapters;

/// <summary>
/// A real subscriber host (UseCloudEvents + MapSubscribeHandler + WithTopic via MapEventSubscription) receiving
/// from the stand-in: SUCCESS/RETRY/DROP answers, dead letters, duplicates, reordering, trace propagation.
/// </summary>
public sealed class SubscriptionDeliveryTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private static StreamEnded Ended(long seq) => new("cam", seq);

    [Fact]
    public async Task Announces_its_routes_and_acknowledges_handled_events()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        var received = new ConcurrentQueue<StreamEnded>();
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
            a.MapEventSubscription<StreamEnded>(Topics.Streams, (e, _) => { received.Enqueue(e); return Task.CompletedTask; }, "streams-dead"));

        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var subscribe = await http.GetStringAsync("dapr/subscribe");
        var announced = Assert.Single(AppSubscription.Parse(subscribe));
        Assert.Equal(new AppSubscription("pubsub", "streams", "/events/streams", "streams-dead"), announced);

        await sidecar.ConnectAppAsync(app.BaseAddress);
        var publisher = app.Services.GetRequiredService<IEventPublisher>();
        for (var i = 0; i < 5; i++) await publisher.PublishAsync(Topics.Streams, Ended(i));
        await sidecar.PubSub.WhenSettledAsync(Settle);

        Assert.Equal([0L, 1, 2, 3, 4], received.Select(e => e.LastSequence));
        Assert.All(sidecar.PubSub.Deliveries, d => Assert.Equal(DeliveryOutcome.Success, d.Outcome));
        Assert.Empty(sidecar.PubSub.Undelivered);
    }

    [Fact]
    public async Task Transient_failure_answers_RETRY_and_is_redelivered()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        var calls = 0;
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
            a.MapEventSubscription<StreamEnded>(Topics.Streams, (_, _) =>
                ++calls <= 2 ? throw new IOException("object store busy") : Task.CompletedTask));
        await sidecar.ConnectAppAsync(app.BaseAddress);

        await app.Services.GetRequiredService<IEventPublisher>().PublishAsync(Topics.Streams, Ended(1));
        await sidecar.PubSub.WhenSettledAsync(Settle);

        Assert.Equal([DeliveryOutcome.Retry, DeliveryOutcome.Retry, DeliveryOutcome.Success],
            sidecar.PubSub.Deliveries.Select(d => d.Outcome));
        Assert.Equal([1, 2, 3], sidecar.PubSub.Deliveries.Select(d => d.Attempt));
        Assert.Empty(sidecar.PubSub.Undelivered);
    }

    [Fact]
    public async Task Poison_message_answers_DROP_and_goes_to_the_dead_letter_topic()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        var dead = new ConcurrentQueue<StreamEnded>();
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
        {
            a.MapEventSubscription<StreamEnded>(Topics.Streams,
                (e, _) => e.LastSequence < 0 ? throw new InvalidDataException("negative sequence") : Task.CompletedTask,
                deadLetterTopic: "streams-dead");
            a.MapEventSubscription<StreamEnded>("streams-dead", (e, _) => { dead.Enqueue(e); return Task.CompletedTask; });
        });
        await sidecar.ConnectAppAsync(app.BaseAddress);

        var publisher = app.Services.GetRequiredService<IEventPublisher>();
        await publisher.PublishAsync(Topics.Streams, Ended(-5));
        await publisher.PublishAsync(Topics.Streams, Ended(2));
        await sidecar.PubSub.WhenSettledAsync(Settle);

        Assert.Equal(-5, Assert.Single(dead).LastSequence);
        var drop = Assert.Single(sidecar.PubSub.Deliveries, d => d.Outcome == DeliveryOutcome.Drop);
        Assert.Equal(1, drop.Attempt);
        Assert.Equal("streams-dead", Assert.Single(sidecar.PubSub.Undelivered).DeadLetterTopic);
    }

    [Fact]
    public async Task Unreadable_data_is_dropped_not_retried()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        var handled = 0;
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
            a.MapEventSubscription<StreamEnded>(Topics.Streams, (_, _) => { handled++; return Task.CompletedTask; }));
        await sidecar.ConnectAppAsync(app.BaseAddress);

        // Not JSON although labelled so: daprd embeds it as a string, which is no StreamEnded.
        await app.Services.GetRequiredService<DaprClient>()
            .PublishByteEventAsync("pubsub", Topics.Streams, "not json"u8.ToArray(), "application/json");
        await sidecar.PubSub.WhenSettledAsync(Settle);

        Assert.Equal(0, handled);
        Assert.Equal(DeliveryOutcome.Drop, Assert.Single(sidecar.PubSub.Deliveries).Outcome);
        Assert.Null(Assert.Single(sidecar.PubSub.Undelivered).DeadLetterTopic);
    }

    [Fact]
    public async Task Exhausted_retries_go_to_the_dead_letter_topic()
    {
        var options = new SidecarOptions { Delivery = new DeliveryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(5) } };
        await using var sidecar = await DaprSidecarStandIn.StartAsync(options);
        var dead = 0;
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
        {
            a.MapEventSubscription<StreamEnded>(Topics.Streams, (_, _) => throw new TimeoutException("model server down"), "streams-dead");
            a.MapEventSubscription<StreamEnded>("streams-dead", (_, _) => { Interlocked.Increment(ref dead); return Task.CompletedTask; });
        });
        await sidecar.ConnectAppAsync(app.BaseAddress);

        await app.Services.GetRequiredService<IEventPublisher>().PublishAsync(Topics.Streams, Ended(3));
        await sidecar.PubSub.WhenSettledAsync(Settle);

        Assert.Equal(3, sidecar.PubSub.Deliveries.Count(d => d.Topic == Topics.Streams && d.Outcome == DeliveryOutcome.Retry));
        Assert.Equal(1, dead);
    }

    [Fact]
    public async Task Duplicates_are_delivered_with_the_same_event_id()
    {
        var options = new SidecarOptions { Delivery = new DeliveryPolicy { DuplicateProbability = 1.0 } };
        await using var sidecar = await DaprSidecarStandIn.StartAsync(options);
        var received = new ConcurrentQueue<StreamEnded>();
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
            a.MapEventSubscription<StreamEnded>(Topics.Streams, (e, _) => { received.Enqueue(e); return Task.CompletedTask; }));
        await sidecar.ConnectAppAsync(app.BaseAddress);

        var publisher = app.Services.GetRequiredService<IEventPublisher>();
        for (var i = 0; i < 3; i++) await publisher.PublishAsync(Topics.Streams, Ended(i));
        await sidecar.PubSub.WhenSettledAsync(Settle);

        Assert.Equal(6, received.Count);
        Assert.Equal([0L, 0, 1, 1, 2, 2], received.Select(e => e.LastSequence).Order());
        Assert.All(sidecar.PubSub.Deliveries.GroupBy(d => d.EventId), g => Assert.Equal(2, g.Count()));
        Assert.Equal(3, sidecar.PubSub.Deliveries.Count(d => d.Duplicate));
    }

    [Fact]
    public async Task Reordering_is_seeded_and_loses_nothing()
    {
        async Task<long[]> RunAsync(int seed)
        {
            var options = new SidecarOptions
            {
                Delivery = new DeliveryPolicy { ReorderWindow = 8, ReorderMaxHold = TimeSpan.FromSeconds(5), Seed = seed },
            };
            await using var sidecar = await DaprSidecarStandIn.StartAsync(options);
            var received = new ConcurrentQueue<StreamEnded>();
            await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
                a.MapEventSubscription<StreamEnded>(Topics.Streams, (e, _) => { received.Enqueue(e); return Task.CompletedTask; }));
            await sidecar.ConnectAppAsync(app.BaseAddress);
            var publisher = app.Services.GetRequiredService<IEventPublisher>();
            // The window fills at exactly 8 messages, so the shuffle does not depend on timing.
            for (var i = 0; i < 8; i++) await publisher.PublishAsync(Topics.Streams, Ended(i));
            await sidecar.PubSub.WhenSettledAsync(Settle);
            return [.. received.Select(e => e.LastSequence)];
        }

        var first = await RunAsync(seed: 7);
        var again = await RunAsync(seed: 7);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), first.Order());
        Assert.NotEqual(Enumerable.Range(0, 8).Select(i => (long)i), first);
        Assert.Equal(first, again);
    }

    [Fact]
    public async Task Delivery_continues_the_publishers_trace()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        var traceIds = new ConcurrentQueue<string>();
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
            a.MapEventSubscription<StreamEnded>(Topics.Streams, (_, _) =>
            {
                traceIds.Enqueue(System.Diagnostics.Activity.Current?.TraceId.ToHexString() ?? "none");
                return Task.CompletedTask;
            }));
        await sidecar.ConnectAppAsync(app.BaseAddress);

        string publisherTrace;
        using (var activity = new System.Diagnostics.Activity("ingest-capture").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start())
        {
            publisherTrace = activity.TraceId.ToHexString();
            await app.Services.GetRequiredService<IEventPublisher>().PublishAsync(Topics.Streams, Ended(1));
        }
        await sidecar.PubSub.WhenSettledAsync(Settle);

        Assert.Equal(publisherTrace, Assert.Single(traceIds));
    }

    [Fact]
    public async Task App_restart_loses_nothing()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        var received = new ConcurrentQueue<long>();
        Action<WebApplication> map = a =>
            a.MapEventSubscription<StreamEnded>(Topics.Streams, (e, _) => { received.Enqueue(e.LastSequence); return Task.CompletedTask; });
        var first = await SubscriberAppHost.StartAsync(sidecar, map);
        await sidecar.ConnectAppAsync(first.BaseAddress);
        var publisher = first.Services.GetRequiredService<IEventPublisher>();
        await publisher.PublishAsync(Topics.Streams, Ended(1));
        await sidecar.PubSub.WhenSettledAsync(Settle);

        sidecar.PubSub.DisconnectApp(sidecar.AppId);
        await first.DisposeAsync();
        using (var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).Build())
            await new DaprEventPublisher(client, new DaprOptions()).PublishAsync(Topics.Streams, Ended(2));

        await using var second = await SubscriberAppHost.StartAsync(sidecar, map);
        await sidecar.ConnectAppAsync(second.BaseAddress);
        await sidecar.PubSub.WhenSettledAsync(Settle);

        Assert.Equal([1L, 2], received);
        Assert.Empty(sidecar.PubSub.Undelivered);
    }

    [Fact]
    public async Task A_404_answer_is_dropped_as_daprd_does()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions());
        await using var app = await SubscriberAppHost.StartAsync(sidecar, a =>
            a.MapPost("/events/gone", () => Results.NotFound()).WithTopic(new global::Dapr.TopicOptions { PubsubName = "pubsub", Name = "gone", DeadLetterTopic = "gone-dead" }));
        await sidecar.ConnectAppAsync(app.BaseAddress);

        await app.Services.GetRequiredService<IEventPublisher>().PublishAsync("gone", Ended(1));
        await sidecar.PubSub.WhenSettledAsync(Settle);

        var delivery = Assert.Single(sidecar.PubSub.Deliveries);
        Assert.Equal((DeliveryOutcome.Drop, 404), (delivery.Outcome, delivery.HttpStatus));
        Assert.Equal("gone-dead", Assert.Single(sidecar.PubSub.Undelivered).DeadLetterTopic);
    }
}
