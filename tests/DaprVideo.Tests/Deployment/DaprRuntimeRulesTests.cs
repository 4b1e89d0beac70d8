using DaprVideo.Tests.DaprSidecar.Brokers;
using DaprVideo.Tests.DaprSidecar.Resiliency;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// The rendered Kubernetes Resiliency and pub/sub read by the daprd stand-in's own parsers (the rules daprd and
/// components-contrib apply), so the cluster setup cannot drift from what the local components were fixed for.
/// </summary>
public sealed class DaprRuntimeRulesTests
{
    private static string ResiliencyYaml(IEnumerable<K8sObject> objects) => Assert.Single(objects, o => o.Kind == "Resiliency").Yaml;

    [Theory]
    [InlineData("overlays/redis")]
    [InlineData("overlays/kafka")]
    public void The_object_store_policy_has_no_retry_or_breaker_for_misses_to_trip(string overlay)
    {
        var spec = ResiliencySpec.Parse([ResiliencyYaml(Kustomize.Render(overlay))], appId: "inference");
        var policy = spec.ComponentOutbound("objectstore");
        Assert.NotNull(policy);
        Assert.NotNull(policy.Timeout);
        Assert.Null(policy.Retry);
        Assert.Null(policy.Breaker);
    }

    [Fact]
    public void Redis_reclaims_a_message_only_after_one_delivery_could_have_ended()
    {
        var objects = Kustomize.Render("overlays/redis");
        var inbound = ResiliencySpec.Parse([ResiliencyYaml(objects)], appId: "inference").ComponentInbound("pubsub");
        Assert.NotNull(inbound?.Timeout);
        var retry = inbound.Retry;
        Assert.NotNull(retry);
        Assert.Equal(RetryBackOff.Constant, retry.Policy);
        Assert.InRange(retry.MaxRetries, 0, 10);
        var budget = inbound.Timeout.Value * (retry.MaxRetries + 1) + retry.Duration * retry.MaxRetries;

        var pubsub = Assert.Single(objects, o => o.Kind == "Component" && o.Name == "pubsub");
        var metadata = pubsub.Root["spec"]["metadata"].Items.Where(m => m["value"].Exists)
            .ToDictionary(m => m["name"].Text!, m => m["value"].Text!);
        var settings = RedisStreamsSettings.Parse(metadata, "inference");
        Assert.True(settings.ProcessingTimeout > budget, $"processingTimeout {settings.ProcessingTimeout} <= inbound budget {budget}");
        Assert.True(settings.RedeliverInterval < settings.ProcessingTimeout);
        Assert.Equal(metadata["redeliverInterval"], ((long)settings.RedeliverInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
