using System.Globalization;
using DaprVideo.Core.Events;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// The rendered Dapr wiring agrees with the conventions, with dapr.yaml and components/ at the repo top
/// and with itself: app ids, ports, tokens, sidecar limits, component names and scopes.
/// </summary>
public sealed class DaprManifestTests
{
    /// <summary>Dapr's default body limit is 4 MiB; segments travel base64-encoded through the sidecar.</summary>
    private const long MinimumBodyBytes = 16L * 1024 * 1024;

    public static TheoryData<string> Deployables() => [.. Kustomize.Deployables()];

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Dapr_apps_have_the_agreed_ids_ports_and_services(string directory)
    {
        var rendered = Rendered.Of(directory);
        var daprApps = rendered.Workloads.Where(w => w.DaprEnabled).ToList();

        foreach (var app in Conventions.DaprApps) rendered.DaprApp(app.Id);
        foreach (var workload in daprApps)
        {
            var app = Conventions.ById(workload.DaprAppId);
            Assert.True(app is not null, $"{directory}: {workload} has Dapr app id '{workload.DaprAppId}', not one of the conventions");
            var a = workload.PodAnnotations;
            Assert.Equal(app.Port.ToString(CultureInfo.InvariantCulture), a.GetValueOrDefault("dapr.io/app-port"));
            Assert.Equal("http", a.GetValueOrDefault("dapr.io/app-protocol"));
            Assert.True(Rendered.ResolvePort(workload, new Node(app.Port.ToString(CultureInfo.InvariantCulture))) is not null,
                $"{directory}: {workload} has no containerPort {app.Port} for its sidecar");

            var service = Assert.Single(rendered.ServicesSelecting(workload));
            Assert.Equal(app.Id, service.Name);
            Assert.Contains(service.Root["spec"]["ports"].Items, p => Rendered.ResolvePort(workload, p["targetPort"]) == app.Port);
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Sidecars_are_configured_secured_and_bounded(string directory)
    {
        var rendered = Rendered.Of(directory);
        foreach (var workload in rendered.Workloads.Where(w => w.DaprEnabled))
        {
            var a = workload.PodAnnotations;
            var config = a.GetValueOrDefault("dapr.io/config");
            Assert.True(config is not null && rendered.Find("Configuration", config) is not null,
                $"{directory}: {workload} names Dapr Configuration '{config}', which is not rendered");
            Assert.False(string.IsNullOrEmpty(a.GetValueOrDefault("dapr.io/app-token-secret")), $"{workload}: no dapr.io/app-token-secret");
            Assert.False(string.IsNullOrEmpty(a.GetValueOrDefault("dapr.io/api-token-secret")), $"{workload}: no dapr.io/api-token-secret");
            foreach (var key in new[] { "sidecar-cpu-request", "sidecar-cpu-limit", "sidecar-memory-request", "sidecar-memory-limit" })
                Assert.True(a.ContainsKey("dapr.io/" + key), $"{directory}: {workload} has no dapr.io/{key}");
            var body = a.GetValueOrDefault("dapr.io/max-body-size") ?? a.GetValueOrDefault("dapr.io/http-max-request-size");
            Assert.True(body is not null && Bytes(body) >= MinimumBodyBytes,
                $"{directory}: {workload} sidecar body limit '{body}' is below {MinimumBodyBytes / 1024 / 1024} MiB, too small for a segment");
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Pipeline_apps_send_and_expect_the_tokens_their_sidecar_uses(string directory)
    {
        var rendered = Rendered.Of(directory);
        foreach (var app in Conventions.DaprApps)
        {
            var workload = rendered.DaprApp(app.Id);
            var env = rendered.Environment(Rendered.MainContainer(workload));
            AssertSecretRef(env, "APP_API_TOKEN", workload.PodAnnotations["dapr.io/app-token-secret"], "token", workload);
            AssertSecretRef(env, "DAPR_API_TOKEN", workload.PodAnnotations["dapr.io/api-token-secret"], "token", workload);
            // The sidecar probes liveness: readiness includes the sidecar itself and would deadlock it.
            Assert.Equal(Conventions.LivenessPath, workload.PodAnnotations.GetValueOrDefault("dapr.io/app-health-check-path"));
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Components_exist_with_the_agreed_names_types_and_scopes(string directory)
    {
        var rendered = Rendered.Of(directory);
        var components = rendered.DaprComponents.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var appIds = rendered.Workloads.Where(w => w.DaprEnabled).Select(w => w.DaprAppId!).ToHashSet(StringComparer.Ordinal);

        foreach (var name in Conventions.ComponentNames) Assert.True(components.ContainsKey(name), $"{directory}: no Dapr component '{name}'");
        Assert.StartsWith("pubsub.", components["pubsub"].Root["spec"]["type"].Text, StringComparison.Ordinal);
        Assert.Equal("bindings.aws.s3", components["objectstore"].Root["spec"]["type"].Text);
        Assert.Equal("secretstores.kubernetes", components["secretstore"].Root["spec"]["type"].Text);

        foreach (var component in components.Values)
        {
            var scopes = component.Root["scopes"].Items.Select(s => s.Text!).ToList();
            Assert.True(scopes.Count > 0, $"{directory}: component {component.Name} is not scoped (every sidecar would load it)");
            Assert.All(scopes, s => Assert.True(appIds.Contains(s), $"{directory}: component {component.Name} is scoped to unknown app id '{s}'"));
            if (component.Root["spec"]["metadata"].Items.Any(m => m["secretKeyRef"].Exists))
                Assert.Equal("kubernetes", component.Root["auth"]["secretStore"].Text);
        }
        foreach (var app in Conventions.PipelineApps)
            foreach (var name in new[] { "pubsub", "objectstore" })
                Assert.Contains(app.Id, components[name].Root["scopes"].Items.Select(s => s.Text));
        // The Notifier reads events and nothing else: the broker, not the object store.
        Assert.Contains(Conventions.Notifier.Id, components["pubsub"].Root["scopes"].Items.Select(s => s.Text));
        Assert.DoesNotContain(Conventions.Notifier.Id, components["objectstore"].Root["scopes"].Items.Select(s => s.Text));

        // The services find the components by the names in their environment.
        foreach (var app in Conventions.PipelineApps)
        {
            var env = rendered.Environment(Rendered.MainContainer(rendered.DaprApp(app.Id)));
            Assert.Equal("pubsub", env["PUBSUB_NAME"].Text);
            Assert.Equal("objectstore", env["OBJECTSTORE_BINDING"].Text);
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Object_store_binding_reads_credentials_from_a_secret_and_uses_path_style(string directory)
    {
        var objectstore = Rendered.Of(directory).Find("Component", "objectstore")!;
        var metadata = objectstore.Root["spec"]["metadata"].Items.ToDictionary(m => m["name"].Text!, StringComparer.Ordinal);

        Assert.Equal("daprvideo", metadata["bucket"]["value"].Text);
        Assert.Equal("true", metadata["forcePathStyle"]["value"].Text);
        Assert.True(metadata.ContainsKey("endpoint"), "objectstore: no endpoint");
        foreach (var key in new[] { "accessKey", "secretKey" })
        {
            Assert.False(metadata[key]["value"].Exists, $"{directory}: objectstore {key} is a literal");
            Assert.True(metadata[key]["secretKeyRef"]["name"].Text is not null, $"{directory}: objectstore {key} has no secretKeyRef");
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Resiliency_and_configuration_name_existing_components_and_apps(string directory)
    {
        var rendered = Rendered.Of(directory);
        var appIds = rendered.Workloads.Where(w => w.DaprEnabled).Select(w => w.DaprAppId!).ToHashSet(StringComparer.Ordinal);
        var resiliencies = rendered.OfKind("Resiliency").ToList();
        Assert.NotEmpty(resiliencies);
        foreach (var r in resiliencies)
        {
            Assert.All(r.Root["scopes"].Items, s => Assert.True(appIds.Contains(s.Text!), $"Resiliency {r.Name} scoped to unknown app '{s}'"));
            foreach (var (component, _) in r.Root["spec"]["targets"]["components"].Entries)
                Assert.True(rendered.Find("Component", component) is not null, $"Resiliency {r.Name} targets unknown component '{component}'");
            var policies = r.Root["spec"]["policies"];
            foreach (var (_, target) in r.Root["spec"]["targets"]["components"].Entries)
                foreach (var direction in new[] { "inbound", "outbound" })
                    foreach (var (kind, policy) in new[] { ("timeout", "timeouts"), ("retry", "retries"), ("circuitBreaker", "circuitBreakers") })
                        if (target[direction][kind].Text is { } name)
                            Assert.True(policies[policy][name].Exists, $"Resiliency {r.Name}: {kind} policy '{name}' is not defined");
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Tf_serving_url_points_at_a_rendered_grpc_service(string directory)
    {
        var rendered = Rendered.Of(directory);
        var env = rendered.Environment(Rendered.MainContainer(rendered.DaprApp(Conventions.Inference.Id)));
        var url = new Uri(env["TF_SERVING_URL"].Text!);
        Assert.Equal("grpc", url.Scheme);

        var service = rendered.Find("Service", url.Host);
        Assert.True(service is not null, $"{directory}: TF_SERVING_URL names Service '{url.Host}', which is not rendered");
        var port = Assert.Single(service.Root["spec"]["ports"].Items, p => p["port"].Integer == url.Port);
        var server = Assert.Single(rendered.Workloads, w => w.PodsMatch(service.Root["spec"]["selector"].StringMap()));
        Assert.Equal(Conventions.ModelServerGrpcPort, Rendered.ResolvePort(server, port["targetPort"]));
        Assert.Equal("default", env["TF_SERVING_MODEL"].Text);
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Model_servers_read_their_config_files_from_mounted_config_maps(string directory)
    {
        var rendered = Rendered.Of(directory);
        var servers = rendered.Workloads.SelectMany(w => w.Containers.Select(c => (w, c)))
            .Where(x => x.c["args"].Items.Any(a => a.Text?.StartsWith("--batching_parameters_file=", StringComparison.Ordinal) == true))
            .ToList();
        Assert.NotEmpty(servers);
        foreach (var (workload, container) in servers)
        {
            var args = container["args"].Items.Select(a => a.Text!).ToList();
            Assert.Contains($"--port={Conventions.ModelServerGrpcPort}", args);
            Assert.Contains($"--rest_api_port={Conventions.ModelServerRestPort}", args);
            Assert.Contains(args, a => a.StartsWith("--enable_batching", StringComparison.Ordinal));
            foreach (var flag in new[] { "--batching_parameters_file=", "--model_config_file=" })
            {
                var file = args.FirstOrDefault(a => a.StartsWith(flag, StringComparison.Ordinal))?[flag.Length..];
                if (file is null) continue;
                var mount = Assert.Single(container["volumeMounts"].Items, m => m["mountPath"].Text == Path.GetDirectoryName(file));
                var volume = Assert.Single(workload.PodSpec["volumes"].Items, v => v["name"].Text == mount["name"].Text);
                var configMap = rendered.Find("ConfigMap", volume["configMap"]["name"].Text ?? "");
                Assert.True(configMap is not null, $"{directory}: {workload} mounts {file} from no rendered ConfigMap");
                Assert.True(configMap.Root["data"][Path.GetFileName(file)].Exists, $"{directory}: ConfigMap {configMap.Name} has no {Path.GetFileName(file)}");
            }
        }
    }

    [Fact]
    public void Tf_serving_config_files_equal_the_ones_next_to_ModelServer()
    {
        var tfserving = Path.Combine(RepoPaths.Root, "services", "ModelServer", "tfserving");
        Assert.Equal(File.ReadAllText(Path.Combine(tfserving, "batching_parameters.txt")),
            File.ReadAllText(Path.Combine(Kustomize.K8sRoot, "base", "batching_parameters.txt")));
        Assert.Equal(File.ReadAllText(Path.Combine(tfserving, "models.config")),
            File.ReadAllText(Path.Combine(Kustomize.K8sRoot, "components", "tfserving", "models.config")));
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Autoscalers_own_the_replica_count_of_their_target(string directory)
    {
        var rendered = Rendered.Of(directory);
        var targets = rendered.OfKind("ScaledObject").Select(s => s.Root["spec"]["scaleTargetRef"]["name"].Text)
            .Concat(rendered.OfKind("HorizontalPodAutoscaler").Select(h => h.Root["spec"]["scaleTargetRef"]["name"].Text));
        foreach (var target in targets)
        {
            var workload = rendered.Find("Deployment", target ?? "");
            Assert.True(workload is not null, $"{directory}: an autoscaler targets Deployment '{target}', which is not rendered");
            Assert.False(workload.Root["spec"]["replicas"].Exists, $"{directory}: {workload} is autoscaled but still sets spec.replicas");
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Keda_watches_the_inference_consumer_group_on_the_chunks_topic_of_the_same_broker(string directory)
    {
        var rendered = Rendered.Of(directory);
        var pubsub = rendered.Find("Component", "pubsub")!;
        var metadata = pubsub.Root["spec"]["metadata"].Items.ToDictionary(m => m["name"].Text!, m => m["value"].Text, StringComparer.Ordinal);
        foreach (var scaled in rendered.OfKind("ScaledObject"))
        {
            Assert.Equal(Conventions.Inference.Id, scaled.Root["spec"]["scaleTargetRef"]["name"].Text);
            var trigger = Assert.Single(scaled.Root["spec"]["triggers"].Items);
            var m = trigger["metadata"];
            Assert.Equal(Conventions.Inference.Id, m["consumerGroup"].Text);
            switch (trigger["type"].Text)
            {
                case "kafka":
                    Assert.Equal("pubsub.kafka", pubsub.Root["spec"]["type"].Text);
                    Assert.Equal(Topics.Chunks, m["topic"].Text);
                    Assert.Equal(metadata["brokers"], m["bootstrapServers"].Text);
                    Assert.True(m["lagThreshold"].Integer is > 0, $"{directory}: kafka trigger without a positive lagThreshold");
                    // Idle consumers would let KEDA ask for more replicas than "chunks" has partitions
                    // (kedacore/keda pkg/scalers/kafka_scaler.go getTotalLag caps the metric otherwise).
                    Assert.NotEqual("true", m["allowIdleConsumers"].Text);
                    break;
                case "redis-streams":
                    Assert.Equal("pubsub.redis", pubsub.Root["spec"]["type"].Text);
                    Assert.Equal(Topics.Chunks, m["stream"].Text);
                    var host = metadata["redisHost"]!.Split(':')[0];
                    Assert.StartsWith(host + ".", m["address"].Text, StringComparison.Ordinal);
                    // lagCount = XINFO GROUPS lag, the unread backlog; pendingEntriesCount = XPENDING, only what
                    // was handed out and not acked, which never shows a backlog (keda redis_streams_scaler.go).
                    Assert.True(m["lagCount"].Integer is > 0, $"{directory}: redis-streams trigger does not scale on lagCount");
                    Assert.False(m["pendingEntriesCount"].Exists, $"{directory}: pendingEntriesCount is ignored once lagCount is set; drop it");
                    break;
                default:
                    Assert.Fail($"{directory}: unexpected KEDA trigger {trigger["type"].Text}");
                    break;
            }
        }
    }

    [Fact]
    public void Dapr_yaml_at_the_repo_top_agrees()
    {
        var path = Path.Combine(RepoPaths.Root, "dapr.yaml");
        Assert.True(File.Exists(path), $"{path} does not exist");
        var apps = Kustomize.ReadYaml(path)[0]["apps"].Items.ToList();
        var k8s = Rendered.Of("overlays/redis");
        foreach (var app in apps)
        {
            var id = app["appID"].Text;
            var convention = Conventions.ById(id);
            Assert.True(convention is not null, $"dapr.yaml app '{id}' is not one of the agreed app ids");
            Assert.Equal(convention.Port, app["appPort"].Integer);
            if (Conventions.DaprApps.Contains(convention))
            {
                Assert.Equal(k8s.DaprApp(convention.Id).PodAnnotations["dapr.io/app-port"], app["appPort"].Text);
            }
            else
            {
                // The model server has no sidecar in Kubernetes; its REST port is still the one dapr.yaml names.
                var workload = k8s.Find("Deployment", convention.Id);
                Assert.True(workload is not null, $"dapr.yaml app '{id}' has no Deployment in k8s");
                Assert.Equal(convention.Port, Rendered.ResolvePort(workload, app["appPort"]));
            }
        }
        foreach (var app in Conventions.DaprApps)
            Assert.Contains(apps, a => a["appID"].Text == app.Id);
    }

    [Fact]
    public void Local_components_use_the_same_component_names()
    {
        var dir = Path.Combine(RepoPaths.Root, "components");
        Assert.True(System.IO.Directory.Exists(dir), $"{dir} does not exist");
        HashSet<string> Names(IEnumerable<string> files) => files
            .SelectMany(Kustomize.ReadYaml)
            .Where(d => d["kind"].Text == "Component" && d["apiVersion"].Text == "dapr.io/v1alpha1") // not kustomize Components
            .Select(d => d["metadata"]["name"].Text!)
            .ToHashSet(StringComparer.Ordinal);
        // The notifications are opt-in on both sides: components/notifications and k8s/components/notifications.
        var notifications = Path.Combine(dir, "notifications");
        var all = System.IO.Directory.EnumerateFiles(dir, "*.yaml", SearchOption.AllDirectories).ToList();
        var local = Names(all.Where(f => !f.StartsWith(notifications + Path.DirectorySeparatorChar, StringComparison.Ordinal)));
        var k8s = Rendered.Of("overlays/redis").DaprComponents.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        Assert.True(local.SetEquals(k8s),
            $"components/ names {string.Join(", ", local.Order(StringComparer.Ordinal))}; k8s names {string.Join(", ", k8s.Order(StringComparer.Ordinal))}");
        var localNotifications = Names(all.Where(f => f.StartsWith(notifications + Path.DirectorySeparatorChar, StringComparison.Ordinal)));
        var k8sNotifications = Names(System.IO.Directory.EnumerateFiles(Path.Combine(Kustomize.K8sRoot, "components", "notifications"), "*.yaml"));
        Assert.Equal(["mqtt", "webhook"], localNotifications.Order(StringComparer.Ordinal));
        Assert.True(localNotifications.SetEquals(k8sNotifications), "components/notifications and k8s/components/notifications name different components");
    }

    private static void AssertSecretRef(IReadOnlyDictionary<string, Node> env, string variable, string secret, string key, K8sObject workload)
    {
        Assert.True(env.TryGetValue(variable, out var source), $"{workload}: {variable} is not set");
        Assert.Equal(secret, source["secretKeyRef"]["name"].Text);
        Assert.Equal(key, source["secretKeyRef"]["key"].Text);
    }

    /// <summary>Kubernetes quantity (32Mi, 16M, 1Gi, 4194304) in bytes.</summary>
    internal static long Bytes(string quantity)
    {
        (string Suffix, long Factor)[] units = [("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("K", 1000), ("M", 1_000_000), ("G", 1_000_000_000)];
        foreach (var (suffix, factor) in units)
            if (quantity.EndsWith(suffix, StringComparison.Ordinal))
                return long.Parse(quantity[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
        return long.Parse(quantity, CultureInfo.InvariantCulture);
    }
}
