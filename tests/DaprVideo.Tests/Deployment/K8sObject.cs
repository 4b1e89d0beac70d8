namespace DaprVideo.Tests.Deployment;

/// <summary>One rendered Kubernetes object.</summary>
internal sealed class K8sObject(Node root, string yaml)
{
    public Node Root { get; } = root;

    /// <summary>The document's YAML as rendered (for equality and messages).</summary>
    public string Yaml { get; } = yaml;

    public string Kind => Root["kind"].Text ?? "";

    public string ApiVersion => Root["apiVersion"].Text ?? "";

    public string Name => Root["metadata"]["name"].Text ?? "";

    public string? Namespace => Root["metadata"]["namespace"].Text;

    public IReadOnlyDictionary<string, string> Labels => Root["metadata"]["labels"].StringMap();

    public string Id => $"{Kind}/{Namespace}/{Name}";

    public bool IsWorkload => Kind is "Deployment" or "StatefulSet" or "DaemonSet";

    public Node PodTemplate => Root["spec"]["template"];

    public Node PodSpec => PodTemplate["spec"];

    public IReadOnlyDictionary<string, string> PodLabels => PodTemplate["metadata"]["labels"].StringMap();

    public IReadOnlyDictionary<string, string> PodAnnotations => PodTemplate["metadata"]["annotations"].StringMap();

    public IEnumerable<Node> Containers => PodSpec["containers"].Items;

    public IEnumerable<Node> InitContainers => PodSpec["initContainers"].Items;

    public IEnumerable<Node> AllContainers => InitContainers.Concat(Containers);

    public bool DaprEnabled => PodAnnotations.TryGetValue("dapr.io/enabled", out var v) && v == "true";

    public string? DaprAppId => PodAnnotations.GetValueOrDefault("dapr.io/app-id");

    /// <summary>True when every pair of <paramref name="selector"/> is among the pod's labels.</summary>
    public bool PodsMatch(IReadOnlyDictionary<string, string> selector) =>
        selector.Count > 0 && selector.All(s => PodLabels.TryGetValue(s.Key, out var v) && v == s.Value);

    public override string ToString() => Id;
}
