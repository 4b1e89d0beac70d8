using DaprVideo.Tests.DaprSidecar.Resiliency;

namespace DaprVideo.Tests.DaprSidecarTests.Resiliency;

/// <summary>
/// The repository's Resiliency policy under daprd's rules. The objectstore binding's <c>get</c> of a missing key is an
/// error ("object not found", dapr/components-contrib bindings/aws/s3/s3.go), and daprd runs every output binding call
/// through the component's outbound policy (dapr/dapr pkg/runtime/processor/binding/send.go), so a normal miss is retried
/// and counted by the breaker like an outage.
/// </summary>
public sealed class CommittedResiliencyPolicyTests
{
    /// <summary>components/redis/resiliency.yaml as committed before the objectstore policy was changed (regression record).</summary>
    internal const string PolicyWithObjectRetryAndBreaker = """
        # How the sidecars treat failures of the broker and the object store.
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: daprvideo-resiliency
        scopes:
          - ingest
          - inference
          - playlist
        spec:
          policies:
            timeouts:
              # Publishing an event (keys only) is quick.
              publish: 5s
              # A segment put/get through the binding carries up to a few MB.
              objects: 30s
              # Delivering a chunk to Inference: decode, detect and encode a few seconds of video.
              annotate: 120s
              deliver: 15s
            retries:
              publishRetry:
                policy: exponential
                maxInterval: 5s
                maxRetries: 5
              objectRetry:
                policy: exponential
                maxInterval: 5s
                maxRetries: 4
              # Redelivery to the app on RETRY/errors; after these the message goes to the dead-letter topic.
              deliveryRetry:
                policy: exponential
                maxInterval: 30s
                maxRetries: 8
            circuitBreakers:
              brokerBreaker:
                maxRequests: 1
                interval: 30s
                timeout: 30s
                trip: consecutiveFailures >= 5
              storeBreaker:
                maxRequests: 1
                interval: 30s
                timeout: 20s
                trip: consecutiveFailures >= 5
          targets:
            components:
              pubsub:
                outbound:
                  timeout: publish
                  retry: publishRetry
                  circuitBreaker: brokerBreaker
                inbound:
                  timeout: annotate
                  retry: deliveryRetry
              objectstore:
                outbound:
                  timeout: objects
                  retry: objectRetry
                  circuitBreaker: storeBreaker
        """;

    private static Task<byte[]> ObjectNotFound(int attempt) => Task.FromException<byte[]>(new InvalidOperationException("object not found"));

    [Fact]
    public async Task Committed_objectstore_policy_retries_misses_and_opens_the_breaker()
    {
        var clock = new PolicyClock();
        var spec = ResiliencySpec.Parse([PolicyWithObjectRetryAndBreaker], clock.Time, appId: "playlist", jitterSeed: 11);
        var objectstore = spec.ComponentOutbound("objectstore", ResiliencySpec.Binding)!;
        clock.Watch(objectstore);
        Assert.Equal(TimeSpan.FromSeconds(30), objectstore.Timeout);
        Assert.Equal(4, objectstore.MaxRetries);
        Assert.Equal("consecutiveFailures >= 5", objectstore.Breaker!.Trip!.Text);

        // One get of a key that is not there (yet): 1 + maxRetries attempts with exponential waits, then the miss.
        var miss = await clock.DriveToFailureAsync(objectstore.RunAsync(clock.Attempt((n, _) => ObjectNotFound(n)), CancellationToken.None));

        Assert.Equal("object not found", miss.Message);
        Assert.Equal(5, objectstore.Attempts);
        double[] intervals = [0.5, 0.75, 1.125, 1.6875];
        var gaps = clock.GapsBetweenAttempts();
        Assert.Equal(4, gaps.Count);
        for (var i = 0; i < gaps.Count; i++) Assert.InRange(gaps[i].TotalSeconds, intervals[i] * 0.5, (intervals[i] * 1.5) + 1e-6);

        // Those five misses are five consecutive failures: the storeBreaker is open.
        Assert.Equal(CircuitBreakerState.Open, objectstore.BreakerState);

        // The next call, even for an object that exists, fails at once without reaching the store.
        var existing = new byte[] { 1, 2, 3 };
        var refused = await clock.DriveToFailureAsync(objectstore.RunAsync(_ => Task.FromResult(existing), CancellationToken.None));
        Assert.IsType<CircuitBreakerOpenException>(refused);
        Assert.Equal("circuit breaker is open", refused.Message);
        Assert.Equal(5, objectstore.Attempts);

        // Only after the breaker's 20s open period does a call get through again.
        clock.Time.Advance(TimeSpan.FromSeconds(20) + TimeSpan.FromTicks(1));
        Assert.Same(existing, await objectstore.RunAsync(_ => Task.FromResult(existing), CancellationToken.None));
        Assert.Equal(CircuitBreakerState.Closed, objectstore.BreakerState);
    }

    [Fact]
    public void Repo_objectstore_policy_neither_retries_nor_opens_a_breaker_on_misses()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "components", "redis", "resiliency.yaml"));
        var spec = ResiliencySpec.Parse([text], TimeProvider.System, appId: "playlist");

        var objectstore = spec.ComponentOutbound("objectstore", ResiliencySpec.Binding);

        // A miss must cost one attempt and must not count towards a breaker shared with every other object call.
        Assert.True(objectstore?.Retry is null || objectstore.Retry.MaxRetries == 0,
            $"objectstore outbound retries misses: maxRetries {objectstore?.MaxRetries}");
        Assert.Null(objectstore?.Breaker);
    }
}
