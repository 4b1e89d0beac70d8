namespace DaprVideo.Tests.Deployment;

/// <summary>Every kustomization under k8s/ renders offline, and the broker overlays differ in the broker only.</summary>
public sealed class KustomizeRenderTests
{
    public static TheoryData<string> AllKustomizations() => [.. Kustomize.Kustomizations()];

    [Theory]
    [MemberData(nameof(AllKustomizations))]
    public void Renders_offline_with_kubectl_kustomize(string directory)
    {
        var objects = Kustomize.Render(directory);

        Assert.NotEmpty(objects);
        Assert.All(objects, o =>
        {
            Assert.False(string.IsNullOrEmpty(o.Kind), $"{directory}: a document without kind");
            Assert.False(string.IsNullOrEmpty(o.Name), $"{directory}: {o.Kind} without a name");
        });
        var duplicates = objects.GroupBy(o => o.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{directory}: duplicate objects {string.Join(", ", duplicates)}");
    }

    [Fact]
    public void Both_broker_overlays_and_the_examples_exist()
    {
        var deployables = Kustomize.Deployables();
        Assert.Contains("overlays/redis", deployables);
        Assert.Contains("overlays/kafka", deployables);
        Assert.Contains(deployables, d => d.StartsWith("examples/", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_component_is_rendered_by_some_example()
    {
        var used = Kustomize.Kustomizations()
            .SelectMany(dir => Kustomize.ReadYaml(Path.Combine(Kustomize.K8sRoot, dir, "kustomization.yaml"))[0]["components"].Items
                .Select(c => Path.GetRelativePath(Kustomize.K8sRoot, Path.GetFullPath(Path.Combine(Kustomize.K8sRoot, dir, c.Text!)))
                    .Replace(Path.DirectorySeparatorChar, '/')))
            .ToHashSet(StringComparer.Ordinal);

        var components = Kustomize.Components();
        Assert.NotEmpty(components);
        Assert.All(components, c => Assert.True(used.Contains(c), $"k8s/{c} is used by no kustomization, so no test renders it"));
    }

    [Fact]
    public void Redis_and_Kafka_overlays_differ_only_in_the_broker()
    {
        var redis = Kustomize.Render("overlays/redis").ToDictionary(o => o.Id, StringComparer.Ordinal);
        var kafka = Kustomize.Render("overlays/kafka").ToDictionary(o => o.Id, StringComparer.Ordinal);

        foreach (var (id, fromRedis) in redis)
        {
            if (!kafka.TryGetValue(id, out var fromKafka)) continue;
            if (IsBroker(fromRedis) && IsBroker(fromKafka)) continue;
            Assert.True(fromRedis.Yaml == fromKafka.Yaml, $"{id} differs between the redis and kafka overlays");
        }
        foreach (var only in redis.Keys.Except(kafka.Keys).Select(k => redis[k])
                     .Concat(kafka.Keys.Except(redis.Keys).Select(k => kafka[k])))
            Assert.True(IsBroker(only), $"{only.Id} is in one overlay only but is not labelled app.kubernetes.io/component=broker");

        Assert.Equal("pubsub.redis", PubSub(redis.Values).Root["spec"]["type"].Text);
        Assert.Equal("pubsub.kafka", PubSub(kafka.Values).Root["spec"]["type"].Text);
    }

    [Fact]
    public void Secret_examples_are_not_part_of_any_kustomization()
    {
        foreach (var file in Kustomize.KustomizationFiles())
        {
            var k = Kustomize.ReadYaml(file)[0];
            var listed = k["resources"].Items.Concat(k["patches"].Items.Select(p => p["path"])).Select(n => n.Text ?? "");
            Assert.DoesNotContain(listed, r => r.Contains("secret.example", StringComparison.Ordinal));
        }
    }

    private static bool IsBroker(K8sObject o) =>
        o.Labels.TryGetValue("app.kubernetes.io/component", out var c) && c == "broker";

    private static K8sObject PubSub(IEnumerable<K8sObject> objects) =>
        Assert.Single(objects, o => o.Kind == "Component" && o.Name == "pubsub");
}
