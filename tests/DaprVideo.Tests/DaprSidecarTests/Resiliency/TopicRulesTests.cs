using DaprVideo.Tests.DaprSidecar.PubSub;

namespace DaprVideo.Tests.DaprSidecarTests.Resiliency;

/// <summary>Topic scoping as daprd applies it (dapr/dapr pkg/scopes/scopes.go, pkg/runtime/pubsub/adapter.go IsOperationAllowed).</summary>
public sealed class TopicRulesTests
{
    private static TopicRules Repo() =>
        TopicRules.FromComponentYaml(File.ReadAllText(Path.Combine(RepoPaths.Root, "components", "redis", "pubsub.yaml")));

    private static TopicRules Rules(params (string Key, string Value)[] metadata) =>
        TopicRules.FromMetadata(metadata.ToDictionary(m => m.Key, m => m.Value));

    [Theory]
    [InlineData("ingest", "chunks", true)]
    [InlineData("ingest", "streams", true)]
    [InlineData("ingest", "segments", false)]
    [InlineData("ingest", "chunks-dead", false)]
    [InlineData("inference", "segments", true)]
    [InlineData("inference", "chunks-dead", true)] // dead letters of its chunks subscription
    [InlineData("inference", "chunks", false)]
    [InlineData("playlist", "segments-dead", true)]
    [InlineData("playlist", "streams-dead", true)]
    [InlineData("playlist", "segments", false)]
    [InlineData("ingest", "other", false)] // not in allowedTopics
    public void Repo_pubsub_publishing(string app, string topic, bool allowed) =>
        Assert.Equal(allowed, Repo().MayPublish(app, topic));

    [Theory]
    [InlineData("inference", "chunks", true)]
    [InlineData("inference", "segments", false)]
    [InlineData("playlist", "segments", true)]
    [InlineData("playlist", "streams", true)]
    [InlineData("playlist", "chunks", false)]
    [InlineData("ingest", "chunks", false)] // protected and ingest has no subscription scope
    [InlineData("ingest", "streams", false)]
    public void Repo_pubsub_subscriptions(string app, string topic, bool allowed) =>
        Assert.Equal(allowed, Repo().MaySubscribe(app, topic));

    [Fact]
    public void Denied_publish_carries_daprds_text()
    {
        Assert.Equal("topic segments is not allowed for app id ingest", Repo().PublishDeniedMessage("ingest", "segments"));
        Assert.Equal("subscription to topic 'chunks' on pubsub 'pubsub' is not allowed", TopicRules.SubscriptionDeniedMessage("pubsub", "chunks"));
    }

    [Fact]
    public void Without_rules_everything_is_allowed()
    {
        Assert.True(TopicRules.None.MayPublish("any", "topic"));
        Assert.True(Rules().MaySubscribe("any", "topic"));
    }

    [Fact]
    public void Allowed_topics_alone_restrict_every_app_to_them()
    {
        var rules = Rules(("allowedTopics", "a, b"));
        Assert.True(rules.MayPublish("x", "b"));
        Assert.False(rules.MayPublish("x", "c"));
        Assert.False(rules.MaySubscribe("x", "c"));
    }

    [Fact]
    public void A_scope_entry_restricts_only_its_app_unless_the_topic_is_protected()
    {
        var rules = Rules(("PublishingScopes", "app1=a;app2=b;app2=c;app3"), ("protectedTopics", "p"));
        Assert.True(rules.MayPublish("app1", "a"));
        Assert.False(rules.MayPublish("app1", "b"));
        Assert.True(rules.MayPublish("app2", "c")); // repeated entries add up
        Assert.True(rules.MayPublish("app3", "anything")); // an entry without '=' is ignored
        Assert.True(rules.MayPublish("other", "anything")); // no entry, not protected
        Assert.False(rules.MayPublish("other", "p"));       // protected needs a scope naming it
        Assert.True(Rules(("publishingScopes", "app1=p"), ("protectedTopics", "p")).MayPublish("app1", "p"));
    }

    [Fact]
    public void An_empty_scope_entry_allows_the_app_no_topic()
    {
        var rules = Rules(("subscriptionScopes", "app1="));
        Assert.False(rules.MaySubscribe("app1", "a"));
        Assert.True(rules.MaySubscribe("app2", "a"));
        Assert.True(rules.MayPublish("app1", "a")); // publishing is scoped separately
    }
}
