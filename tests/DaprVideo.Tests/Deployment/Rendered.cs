namespace DaprVideo.Tests.Deployment;

/// <summary>Lookups over one rendered kustomization: workloads by Dapr app id, Services, ConfigMaps, ports.</summary>
internal sealed class Rendered(string directory, IReadOnlyList<K8sObject> objects)
{
    public string Directory { get; } = directory;

    public IReadOnlyList<K8sObject> Objects { get; } = objects;

    public static Rendered Of(string directory) => new(directory, Kustomize.Render(directory));

    public IEnumerable<K8sObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    public IEnumerable<K8sObject> Workloads => Objects.Where(o => o.IsWorkload);

    public IEnumerable<K8sObject> DaprComponents => Objects.Where(o => o.Kind == "Component" && o.ApiVersion.StartsWith("dapr.io/", StringComparison.Ordinal));

    public K8sObject? Find(string kind, string name) => Objects.FirstOrDefault(o => o.Kind == kind && o.Name == name);

    public K8sObject DaprApp(string appId) =>
        Assert.Single(Workloads, w => w.DaprEnabled && w.DaprAppId == appId);

    /// <summary>The container that runs the app: the one named after the workload, else the only one.</summary>
    public static Node MainContainer(K8sObject workload)
    {
        var containers = workload.Containers.ToList();
        return containers.FirstOrDefault(c => c["name"].Text == workload.Name) ?? Assert.Single(containers);
    }

    public IEnumerable<K8sObject> ServicesSelecting(K8sObject workload) =>
        OfKind("Service").Where(s => workload.PodsMatch(s.Root["spec"]["selector"].StringMap()));

    /// <summary>Container port numbers of a workload, by number and by name.</summary>
    public static int? ResolvePort(K8sObject workload, Node port)
    {
        if (port.Integer is { } number)
            return workload.Containers.SelectMany(c => c["ports"].Items).Any(p => p["containerPort"].Integer == number) ? number : null;
        return workload.Containers.SelectMany(c => c["ports"].Items)
            .FirstOrDefault(p => p["name"].Text == port.Text)?["containerPort"].Integer;
    }

    /// <summary>Names of the environment variables a container gets, and where each comes from.</summary>
    public IReadOnlyDictionary<string, Node> Environment(Node container)
    {
        var env = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var from in container["envFrom"].Items)
        {
            var configMapName = from["configMapRef"]["name"].Text;
            if (configMapName is null) continue;
            var configMap = Find("ConfigMap", configMapName);
            Assert.True(configMap is not null, $"{Directory}: envFrom names ConfigMap {configMapName}, which is not rendered");
            foreach (var (key, value) in configMap.Root["data"].Entries) env[key] = value;
        }
        foreach (var e in container["env"].Items) env[e["name"].Text!] = e["valueFrom"].Exists ? e["valueFrom"] : e["value"];
        return env;
    }
}
