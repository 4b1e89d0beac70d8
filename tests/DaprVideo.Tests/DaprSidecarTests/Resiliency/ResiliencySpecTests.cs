using DaprVideo.Tests.DaprSidecar.Resiliency;
using Microsoft.Extensions.Time.Testing;

namespace DaprVideo.Tests.DaprSidecarTests.Resiliency;

/// <summary>How daprd reads Resiliency resources into component policies (dapr/dapr pkg/resiliency/resiliency.go).</summary>
public sealed class ResiliencySpecTests
{
    private static ResiliencySpec Parse(string spec, string? appId = null) =>
        ResiliencySpec.Parse([PolicyYaml.Resource(spec)], new FakeTimeProvider(), appId);

    [Fact]
    public void Policies_are_decoded_with_daprd_defaults()
    {
        var spec = Parse("""
            policies:
              timeouts:
                quick: 500
                slow: 1m30s
              retries:
                plain: {}
                expo:
                  policy: Exponential
                  maxInterval: 2500
                  maxRetries: 7
                  initialInterval: 10ms   # not a field of the resource: ignored
              circuitBreakers:
                cb:
                  trip: consecutiveFailures > 2
            targets:
              components:
                a:
                  outbound: { timeout: quick, retry: plain, circuitBreaker: cb }
                b:
                  outbound: { timeout: slow, retry: expo }
            """);

        var a = spec.ComponentOutbound("a")!;
        Assert.Equal(TimeSpan.FromMilliseconds(500), a.Timeout);
        Assert.Equal(new RetryConfig(), a.Retry); // constant, 5s, forever
        Assert.Equal(-1, a.MaxRetries);
        Assert.Equal(1u, a.Breaker!.MaxRequests);
        Assert.Equal(TimeSpan.Zero, a.Breaker.Interval);
        Assert.Equal(TimeSpan.FromSeconds(60), a.Breaker.Timeout);
        Assert.Equal("consecutiveFailures > 2", a.Breaker.Trip!.Text);

        var b = spec.ComponentOutbound("b")!;
        Assert.Equal(TimeSpan.FromSeconds(90), b.Timeout);
        Assert.Equal(RetryBackOff.Exponential, b.Retry!.Policy);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), b.Retry.MaxInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), b.Retry.InitialInterval);
        Assert.Equal(7, b.MaxRetries);
        Assert.Null(b.Breaker);
        Assert.Equal("component[b] output", b.Name);
    }

    [Fact]
    public void A_component_without_policies_has_none()
    {
        var spec = Parse("""
            policies:
              timeouts:
                t: 5s
            targets:
              components:
                a:
                  inbound:
                    timeout: t
                b:
                  outbound:
                    timeout: undefined
            """);

        Assert.Null(spec.ComponentOutbound("a"));    // target exists, outbound empty
        Assert.NotNull(spec.ComponentInbound("a"));
        Assert.Null(spec.ComponentOutbound("b"));    // an undefined timeout name means no timeout
        Assert.Null(spec.ComponentOutbound("unknown"));
        Assert.Null(ResiliencySpec.None.ComponentOutbound("a"));
    }

    [Fact]
    public void Default_policies_apply_only_to_components_without_a_target()
    {
        var spec = Parse("""
            policies:
              timeouts:
                DefaultTimeoutPolicy: 9s
                DefaultPubsubComponentOutboundTimeoutPolicy: 4s
              retries:
                DefaultComponentRetryPolicy:
                  maxRetries: 2
            targets:
              components:
                targeted:
                  inbound:
                    timeout: DefaultTimeoutPolicy
            """);

        var pubsub = spec.ComponentOutbound("pubsub", ResiliencySpec.Pubsub)!;
        Assert.Equal(TimeSpan.FromSeconds(4), pubsub.Timeout);
        Assert.Equal(2, pubsub.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(9), spec.ComponentOutbound("objectstore", ResiliencySpec.Binding)!.Timeout);
        Assert.Null(spec.ComponentOutbound("targeted", ResiliencySpec.Binding));
    }

    [Fact]
    public void Other_kinds_and_other_apps_scopes_are_skipped()
    {
        const string component = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: pubsub\nspec:\n  type: pubsub.redis\n";
        var scoped = PolicyYaml.Resource("policies:\n  timeouts:\n    t: 1s\ntargets:\n  components:\n    x:\n      outbound:\n        timeout: t\n")
            + "scopes:\n  - ingest\n";

        Assert.NotNull(ResiliencySpec.Parse([component, scoped], new FakeTimeProvider(), "ingest").ComponentOutbound("x"));
        Assert.Null(ResiliencySpec.Parse([component, scoped], new FakeTimeProvider(), "playlist").ComponentOutbound("x"));
    }

    [Fact]
    public void A_later_resource_replaces_policies_of_the_same_name()
    {
        var first = PolicyYaml.Resource("policies:\n  timeouts:\n    t: 1s\ntargets:\n  components:\n    x:\n      outbound:\n        timeout: t\n", "first");
        var second = PolicyYaml.Resource("policies:\n  timeouts:\n    t: 2s\n", "second");

        var spec = ResiliencySpec.Parse([first, second], new FakeTimeProvider());

        Assert.Equal(TimeSpan.FromSeconds(2), spec.ComponentOutbound("x")!.Timeout);
        Assert.Equal(["first", "second"], spec.LoadedNames);
    }

    [Theory]
    [InlineData("policies:\n  timeouts:\n    t: 5 seconds\n")]
    [InlineData("policies:\n  timeouts:\n    t: 1.5\n")]
    [InlineData("policies:\n  retries:\n    r:\n      policy: linear\n")]
    [InlineData("policies:\n  retries:\n    r:\n      maxRetries: \"3\"\n")]
    [InlineData("policies:\n  retries:\n    r:\n      maxRetries: 2.5\n")]
    [InlineData("policies:\n  retries:\n    r:\n      duration: soon\n")]
    [InlineData("policies:\n  retries:\n    r:\n      matching:\n        httpStatusCodes: 600\n")]
    [InlineData("policies:\n  circuitBreakers:\n    cb:\n      maxRequests: -1\n")]
    [InlineData("policies:\n  circuitBreakers:\n    cb:\n      trip: consecutiveFailures >>= 5\n")]
    [InlineData("targets:\n  components:\n    x:\n      outbound:\n        circuitBreaker: nowhere\n")]
    public void What_daprd_cannot_decode_is_rejected(string spec) =>
        Assert.Throws<InvalidDataException>(() => Parse(spec));
}
