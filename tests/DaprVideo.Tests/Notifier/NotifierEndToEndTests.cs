using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client;
using DaprVideo.Core.Events;
using DaprVideo.DaprAdapters;
using DaprVideo.Notifier;
using DaprVideo.Settings;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.DaprSidecar.Runtime;
using DaprVideo.Tests.Distributed;

namespace DaprVideo.Tests.Notifier;

/// <summary>
/// The distributed path of a notification, all real but the sidecar: a TrackEventChanged published through the
/// stand-in's pub/sub (as Inference publishes it) → the real Notifier host → the stand-in's <c>bindings.http</c>,
/// loaded from the committed <c>components/notifications/webhook.yaml</c> (its URL from the secret store) and
/// <c>resiliency.yaml</c> → a real Kestrel receiver.
/// </summary>
public sealed class NotifierEndToEndTests
{
    private static TrackEventChanged Change(string change, long track = 3) => new(
        "door-cam", $"door-cam.{track}", change, "person",
        DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        change == TrackEventChanged.Ended ? DateTimeOffset.Parse("2026-12-01T10:00:12Z", System.Globalization.CultureInfo.InvariantCulture) : null,
        4.5, change == TrackEventChanged.Ended ? 16.5 : null, 0.91f, ["porch"],
        $"streams/door-cam/events/door-cam.{track}.json", $"streams/door-cam/events/door-cam.{track}.jpg", $"streams/door-cam/events/door-cam.{track}-crop.jpg");

    private sealed class Setup : IAsyncDisposable
    {
        public required TempDirectory Tmp { get; init; }
        public required DaprSidecarStandIn Sidecar { get; init; }
        public required ServiceApp Notifier { get; init; }
        public required DaprClient Publisher { get; init; }
        public required HookReceiver Webhook { get; init; }
        public required HookReceiver Audit { get; init; }

        public Task PublishAsync(TrackEventChanged change) =>
            new DaprEventPublisher(Publisher, new DaprOptions()).PublishAsync(Topics.Events, change);

        public async ValueTask DisposeAsync()
        {
            await Notifier.DisposeAsync();
            await Sidecar.DisposeAsync();
            Publisher.Dispose();
            await Webhook.DisposeAsync();
            await Audit.DisposeAsync();
            Tmp.Dispose();
        }
    }

    /// <summary>daprd for app "notifier" over a resources folder: the committed webhook and resiliency, an "audit" webhook, a secret store with the URL.</summary>
    private static async Task<Setup> StartAsync(HookReceiver webhook, HookReceiver audit, DeliveryPolicy? delivery = null)
    {
        var tmp = new TempDirectory();
        var resources = Directory.CreateDirectory(tmp.File("components")).FullName;
        var committed = Path.Combine(RepoPaths.Root, "components", "notifications");
        File.Copy(Path.Combine(committed, "webhook.yaml"), Path.Combine(resources, "webhook.yaml"));
        File.Copy(Path.Combine(committed, "resiliency.yaml"), Path.Combine(resources, "resiliency.yaml"));
        await File.WriteAllTextAsync(Path.Combine(resources, "audit.yaml"), $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: audit
            spec:
              type: bindings.http
              version: v1
              metadata:
                - name: url
                  value: "{audit.Url("audit")}"
                - name: direction
                  value: "output"
            scopes:
              - notifier
            """);
        await File.WriteAllTextAsync(Path.Combine(resources, "secretstore.yaml"), $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: secretstore
            spec:
              type: secretstores.local.file
              version: v1
              metadata:
                - name: secretsFile
                  value: "{tmp.File("secrets.json")}"
            """);
        // A token in the query, as some webhook services want it: it must not reach a log line.
        await File.WriteAllTextAsync(tmp.File("secrets.json"),
            JsonSerializer.Serialize(new Dictionary<string, string> { ["notify-webhook-url"] = webhook.Url("hooks/in?token=s3cret") }));

        var loaded = SidecarResources.Load("notifier", [resources], tmp.Path);
        var options = DaprdComponents.Options(loaded, "notifier", 4 * 1024 * 1024) with
        {
            // The in-memory broker delivers (its own redelivery schedule); bindings and their Resiliency are daprd's.
            PubSubs = null,
            Delivery = delivery ?? new DeliveryPolicy { MaxAttempts = 4, InitialBackoff = TimeSpan.FromMilliseconds(50) },
        };
        var sidecar = await DaprSidecarStandIn.StartAsync(options);
        var notifier = await ServiceApp.StartAsync("notifier", NotifierSettings.DefaultPort, NotifierApp.AddServices, NotifierApp.MapEndpoints,
            new Dictionary<string, string?>
            {
                [SettingsCatalogue.DaprGrpcEndpoint.Name] = sidecar.GrpcEndpoint,
                [SettingsCatalogue.DaprHttpEndpoint.Name] = sidecar.HttpEndpoint,
                [SettingsCatalogue.NotifyBindings.Name] = "webhook, audit",
            });
        await sidecar.ConnectAppAsync(notifier.BaseAddress, "notifier");
        var publisher = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).Build();
        return new Setup { Tmp = tmp, Sidecar = sidecar, Notifier = notifier, Publisher = publisher, Webhook = webhook, Audit = audit };
    }

    [Fact]
    public async Task Started_and_ended_reach_every_binding_as_the_changes_json_and_updates_do_not()
    {
        await using var setup = await StartAsync(await HookReceiver.StartAsync(), await HookReceiver.StartAsync());

        await setup.PublishAsync(Change(TrackEventChanged.Started));
        await setup.PublishAsync(Change(TrackEventChanged.Updated));
        await setup.PublishAsync(Change(TrackEventChanged.Ended));
        await setup.Sidecar.PubSub.WhenSettledAsync(TimeSpan.FromSeconds(30));

        foreach (var receiver in new[] { setup.Webhook, setup.Audit })
        {
            var got = receiver.Accepted;
            Assert.Equal(2, got.Count);
            Assert.All(got, r => Assert.Equal("POST", r.Method)); // operation create = POST
            Assert.All(got, r => Assert.Equal("application/json; charset=utf-8", r.Headers["Content-Type"]));
            var bodies = got.Select(r => JsonNode.Parse(r.Body)!.AsObject()).ToList();
            Assert.Equal(["started", "ended"], bodies.Select(b => (string)b["change"]!));
            Assert.Equal("door-cam.3", (string)bodies[0]["eventId"]!);
            Assert.Equal("streams/door-cam/events/door-cam.3.jpg", (string)bodies[1]["snapshotKey"]!);
            Assert.Equal(["door-cam.3:started", "door-cam.3:ended"], got.Select(r => r.Headers["Idempotency-Key"]));
        }
        // The webhook URL came from the secret store, token included.
        Assert.All(setup.Webhook.Accepted, r => Assert.Equal(("/hooks/in", "?token=s3cret"), (r.Path, r.Query)));
        Assert.Empty(setup.Sidecar.PubSub.Undelivered);
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_until_it_takes_the_event_while_the_other_binding_gets_it_once()
    {
        var webhook = await HookReceiver.StartAsync();
        // Four 500s: daprd's outbound policy retries the binding (3 attempts), the Notifier answers RETRY, the broker
        // redelivers, and the fifth request is taken.
        webhook.Answer = n => n < 4 ? 500 : 204;
        await using var setup = await StartAsync(webhook, await HookReceiver.StartAsync());

        await setup.PublishAsync(Change(TrackEventChanged.Started));
        await Eventually.HoldsAsync(() => Task.FromResult(webhook.Accepted.Count), n => n == 1, "the webhook to take the event", 60);
        await setup.Sidecar.PubSub.WhenSettledAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([500, 500, 500, 500, 204], webhook.Requests.Select(r => r.Status));
        Assert.Single(webhook.Accepted);
        Assert.All(webhook.Requests, r => Assert.Equal("door-cam.3:started", r.Headers["Idempotency-Key"]));
        // The healthy binding was not sent the redelivery.
        Assert.Single(setup.Audit.Requests);
        var deliveries = setup.Sidecar.PubSub.Deliveries.Where(d => d.Topic == Topics.Events).ToList();
        Assert.Equal([DeliveryOutcome.Retry, DeliveryOutcome.Success], deliveries.Select(d => d.Outcome));
        Assert.Empty(setup.Sidecar.PubSub.Undelivered);
    }

    [Fact]
    public async Task A_webhook_that_never_takes_it_sends_the_event_to_the_dead_letter_topic()
    {
        var webhook = await HookReceiver.StartAsync();
        webhook.Answer = _ => 503;
        await using var setup = await StartAsync(webhook, await HookReceiver.StartAsync(),
            new DeliveryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.FromMilliseconds(20) });

        await setup.PublishAsync(Change(TrackEventChanged.Ended));
        await Eventually.HoldsAsync(() => Task.FromResult(setup.Sidecar.PubSub.Undelivered.Count), n => n == 1, "the event to be given up", 60);

        var dead = Assert.Single(setup.Sidecar.PubSub.Undelivered);
        Assert.Equal(NotifierSettings.DeadLetterTopic, dead.DeadLetterTopic);
        Assert.Equal(6, webhook.Received); // 2 deliveries x 3 attempts of daprd's outbound policy
        Assert.Single(setup.Audit.Requests);
    }
}
