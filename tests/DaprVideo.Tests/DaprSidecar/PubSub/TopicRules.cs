using YamlDotNet.RepresentationModel;

namespace DaprVideo.Tests.DaprSidecar.PubSub;

/// <summary>
/// Pub/sub topic scoping as daprd enforces it, read from the pubsub component's metadata
/// (dapr/dapr pkg/scopes/scopes.go, pkg/runtime/pubsub/adapter.go IsOperationAllowed):
/// <list type="bullet">
/// <item>Metadata names are matched case-insensitively; spaces are removed from the values; lists are comma separated.
/// <c>publishingScopes</c> / <c>subscriptionScopes</c> are <c>app=topic,topic;app=topic</c>: an entry without "=" is
/// ignored, repeated entries for one app add up, and <c>app=</c> gives that app the single topic "" — it may use no
/// real topic at all.</item>
/// <item>An operation on a topic is refused when <c>allowedTopics</c> is non-empty and lacks the topic. Otherwise it is
/// allowed when the topic is not in <c>protectedTopics</c> and the app has no scope entry for that operation; in every
/// other case only a topic the app's scope lists is allowed.</item>
/// <item>A refused publish (including a dead-letter publish by the subscriber's sidecar) fails before the broker and
/// before any resiliency policy: gRPC PermissionDenied (HTTP 403) "topic {topic} is not allowed for app id {appId}"
/// (pkg/runtime/pubsub/publisher/publisher.go, pkg/api/errors/pubsub.go PublishForbidden).</item>
/// <item>A refused subscription is not started. When subscriptions are (re)loaded with the pubsub, each one goes
/// through subscription.New, which fails with "subscription to topic '{topic}' on pubsub '{pubsub}' is not allowed";
/// daprd logs it and retries it in the background for ever (pkg/runtime/subscription/subscription.go,
/// pkg/runtime/processor/subscriber/subscriber.go reloadPubSubApp/retrySubscription); a hot-reloaded declarative
/// subscription is skipped silently (ReloadDeclaredAppSubscription). Either way the app receives nothing on it.</item>
/// </list>
/// Not modelled: namespace-scoped topics (<c>namespaceScoped</c>), component <c>scopes</c> (which apps load the component).
/// </summary>
public sealed class TopicRules
{
    private readonly IReadOnlyDictionary<string, string> _metadata;

    private TopicRules(IReadOnlyDictionary<string, string> metadata)
    {
        _metadata = metadata;
        AllowedTopics = ParamTopics("allowedTopics");
        ProtectedTopics = ParamTopics("protectedTopics");
    }

    /// <summary>No rules: every app may publish and subscribe every topic.</summary>
    public static TopicRules None { get; } = new(new Dictionary<string, string>());

    public IReadOnlyList<string> AllowedTopics { get; }

    public IReadOnlyList<string> ProtectedTopics { get; }

    public static TopicRules FromMetadata(IReadOnlyDictionary<string, string> pubsubMetadata)
    {
        ArgumentNullException.ThrowIfNull(pubsubMetadata);
        return new TopicRules(pubsubMetadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
    }

    /// <summary>Reads the plain <c>spec.metadata</c> name/value pairs of a Component file (secretKeyRef entries carry no value and are left out).</summary>
    public static TopicRules FromComponentYaml(string componentYaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(componentYaml));
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        if (root.Children.TryGetValue("spec", out var spec) && spec is YamlMappingNode specMap
            && specMap.Children.TryGetValue("metadata", out var list) && list is YamlSequenceNode items)
        {
            foreach (var item in items.OfType<YamlMappingNode>())
            {
                if (item.Children.TryGetValue("name", out var n) && n is YamlScalarNode { Value: { } name }
                    && item.Children.TryGetValue("value", out var v) && v is YamlScalarNode { Value: { } value })
                    metadata[name] = value;
            }
        }
        return new TopicRules(metadata);
    }

    /// <summary>Topics the app's <c>publishingScopes</c> entry lists (empty = no entry).</summary>
    public IReadOnlyList<string> PublishingScope(string appId) => ScopedTopics("publishingScopes", appId);

    /// <summary>Topics the app's <c>subscriptionScopes</c> entry lists (empty = no entry).</summary>
    public IReadOnlyList<string> SubscriptionScope(string appId) => ScopedTopics("subscriptionScopes", appId);

    public bool MayPublish(string appId, string topic) => IsOperationAllowed(topic, PublishingScope(appId));

    public bool MaySubscribe(string appId, string topic) => IsOperationAllowed(topic, SubscriptionScope(appId));

    /// <summary>daprd's text for a refused publish (messages.ErrPubsubForbidden; gRPC status PermissionDenied).</summary>
#pragma warning disable CA1822 // instance member by contract: callers hold the rules of one pubsub
    public string PublishDeniedMessage(string appId, string topic) => $"topic {topic} is not allowed for app id {appId}";
#pragma warning restore CA1822

    /// <summary>daprd's error for a refused programmatic subscription.</summary>
    public static string SubscriptionDeniedMessage(string pubsubName, string topic) =>
        $"subscription to topic '{topic}' on pubsub '{pubsubName}' is not allowed";

    private bool IsOperationAllowed(string topic, IReadOnlyList<string> scopedTopics)
    {
        if (AllowedTopics.Count > 0 && !AllowedTopics.Contains(topic)) return false;
        var isProtected = ProtectedTopics.Contains(topic);
        if (!isProtected && scopedTopics.Count == 0) return true;
        return scopedTopics.Contains(topic);
    }

    private string? Param(string name)
    {
        foreach (var (key, value) in _metadata)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }

    private List<string> ParamTopics(string name)
    {
        var topics = new List<string>();
        if (Param(name) is not { Length: > 0 } value) return topics;
        foreach (var topic in value.Replace(" ", "", StringComparison.Ordinal).Split(','))
            if (!topics.Contains(topic)) topics.Add(topic);
        return topics;
    }

    private List<string> ScopedTopics(string name, string appId)
    {
        var topics = new List<string>();
        if (Param(name) is not { Length: > 0 } value) return topics;
        foreach (var entry in value.Replace(" ", "", StringComparison.Ordinal).Split(';'))
        {
            var parts = entry.Split('=');
            if (parts.Length < 2 || parts[0] != appId) continue;
            foreach (var topic in parts[1].Split(','))
                if (!topics.Contains(topic)) topics.Add(topic);
        }
        return topics;
    }
}
