using System.Text.RegularExpressions;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// Every rendered pod: environment complete, images pinned, probes and resources present, locked down
/// (non-root, no escalation, no capabilities, read-only root), and covered by a PodDisruptionBudget.
/// </summary>
public sealed partial class PodSpecTests
{
    public static TheoryData<string> Deployables() => [.. Kustomize.Deployables()];

    public static TheoryData<string> AllKustomizations() => [.. Kustomize.Kustomizations()];

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Every_variable_each_service_reads_is_set(string directory)
    {
        var rendered = Rendered.Of(directory);
        foreach (var app in Conventions.DaprApps)
        {
            var workload = rendered.DaprApp(app.Id);
            var env = rendered.Environment(Rendered.MainContainer(workload));
            var missing = app.Environment.Where(v => !env.TryGetValue(v, out var source) || !IsSet(source)).ToList();
            Assert.True(missing.Count == 0, $"{directory}: {app.Id} does not get {string.Join(", ", missing)}");
            Assert.Equal(app.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), env["APP_PORT"].Text);
        }
    }

    [Theory]
    [MemberData(nameof(AllKustomizations))]
    public void Every_image_is_pinned_by_tag_or_digest(string directory)
    {
        foreach (var workload in Rendered.Of(directory).Workloads)
            foreach (var container in workload.AllContainers)
            {
                var image = container["image"].Text ?? "";
                Assert.True(PinnedImage().IsMatch(image) && !image.EndsWith(":latest", StringComparison.Ordinal),
                    $"{directory}: {workload} container {container["name"]} image '{image}' is not pinned (name:tag, not latest)");
            }
    }

    [Theory]
    [MemberData(nameof(AllKustomizations))]
    public void Every_container_has_probes_and_resources(string directory)
    {
        foreach (var workload in Rendered.Of(directory).Workloads)
        {
            foreach (var container in workload.AllContainers)
                foreach (var side in new[] { "requests", "limits" })
                    foreach (var resource in new[] { "cpu", "memory" })
                        Assert.True(container["resources"][side][resource].Exists,
                            $"{directory}: {workload} container {container["name"]} has no {side}.{resource}");
            foreach (var container in workload.Containers)
                foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                {
                    var p = container[probe];
                    Assert.True(p.Exists, $"{directory}: {workload} container {container["name"]} has no {probe}");
                    var port = p["httpGet"].Exists ? p["httpGet"]["port"] : p["tcpSocket"]["port"];
                    if (port.Exists)
                        Assert.True(Rendered.ResolvePort(workload, port) is not null, $"{directory}: {workload} {probe} port {port} is not a container port");
                }
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Pipeline_apps_probe_the_health_endpoints(string directory)
    {
        var rendered = Rendered.Of(directory);
        foreach (var app in Conventions.DaprApps)
        {
            var container = Rendered.MainContainer(rendered.DaprApp(app.Id));
            Assert.Equal(Conventions.ReadinessPath, container["readinessProbe"]["httpGet"]["path"].Text);
            Assert.Equal(Conventions.LivenessPath, container["livenessProbe"]["httpGet"]["path"].Text);
        }
    }

    [Theory]
    [MemberData(nameof(AllKustomizations))]
    public void Every_pod_is_locked_down(string directory)
    {
        foreach (var workload in Rendered.Of(directory).Workloads)
        {
            var pod = workload.PodSpec["securityContext"];
            Assert.Equal("RuntimeDefault", pod["seccompProfile"]["type"].Text);
            foreach (var container in workload.AllContainers)
            {
                var c = container["securityContext"];
                var where = $"{directory}: {workload} container {container["name"]}";
                Assert.True((c["runAsNonRoot"].Text ?? pod["runAsNonRoot"].Text) == "true", $"{where}: runAsNonRoot is not true");
                Assert.True(c["allowPrivilegeEscalation"].Text == "false", $"{where}: allowPrivilegeEscalation is not false");
                Assert.True(c["readOnlyRootFilesystem"].Text == "true", $"{where}: readOnlyRootFilesystem is not true");
                Assert.Contains("ALL", c["capabilities"]["drop"].Items.Select(i => i.Text));
                Assert.False(c["capabilities"]["add"].Items.Any(), $"{where}: adds capabilities");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Ffmpeg_services_get_a_writable_scratch_directory(string directory)
    {
        var rendered = Rendered.Of(directory);
        foreach (var app in new[] { Conventions.Ingest, Conventions.Inference })
        {
            var workload = rendered.DaprApp(app.Id);
            var mount = Assert.Single(Rendered.MainContainer(workload)["volumeMounts"].Items, m => m["mountPath"].Text == "/tmp");
            Assert.NotEqual("true", mount["readOnly"].Text);
            var volume = Assert.Single(workload.PodSpec["volumes"].Items, v => v["name"].Text == mount["name"].Text);
            Assert.True(volume["emptyDir"].Exists, $"{directory}: {app.Id} /tmp is not an emptyDir");
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Every_service_workload_has_a_disruption_budget(string directory)
    {
        var rendered = Rendered.Of(directory);
        var budgets = rendered.OfKind("PodDisruptionBudget").ToList();
        foreach (var workload in rendered.Workloads.Where(w => !(w.Labels.TryGetValue("app.kubernetes.io/component", out var c) && c == "broker")))
            Assert.True(budgets.Any(b => workload.PodsMatch(b.Root["spec"]["selector"]["matchLabels"].StringMap())),
                $"{directory}: no PodDisruptionBudget selects {workload}");
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Every_disruption_budget_allows_an_eviction_at_the_fewest_replicas(string directory)
    {
        var rendered = Rendered.Of(directory);
        foreach (var budget in rendered.OfKind("PodDisruptionBudget"))
        {
            var spec = budget.Root["spec"];
            foreach (var workload in rendered.Workloads.Where(w => w.PodsMatch(spec["selector"]["matchLabels"].StringMap())))
            {
                var replicas = FewestReplicas(rendered, workload);
                var allowed = AllowedEvictions(spec, replicas);
                Assert.True(allowed >= 1,
                    $"{directory}: PodDisruptionBudget {budget.Name} allows {allowed} eviction(s) of {workload} at {replicas} replica(s): a node drain would hang");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKustomizations))]
    public void Every_service_targets_ports_its_pods_expose(string directory)
    {
        var rendered = Rendered.Of(directory);
        foreach (var service in rendered.OfKind("Service"))
        {
            var selector = service.Root["spec"]["selector"].StringMap();
            var workload = Assert.Single(rendered.Workloads, w => w.PodsMatch(selector));
            foreach (var port in service.Root["spec"]["ports"].Items)
                Assert.True(Rendered.ResolvePort(workload, port["targetPort"].Exists ? port["targetPort"] : port["port"]) is not null,
                    $"{directory}: Service {service.Name} port {port["port"]} targets no container port of {workload}");
        }
    }

    /// <summary>The fewest replicas the workload runs with: its autoscaler's minimum, else spec.replicas (default 1).</summary>
    private static int FewestReplicas(Rendered rendered, K8sObject workload)
    {
        var scaled = rendered.OfKind("ScaledObject").FirstOrDefault(s => s.Root["spec"]["scaleTargetRef"]["name"].Text == workload.Name);
        if (scaled is not null) return scaled.Root["spec"]["minReplicaCount"].Integer ?? 0; // KEDA's default minimum is 0
        var hpa = rendered.OfKind("HorizontalPodAutoscaler").FirstOrDefault(h => h.Root["spec"]["scaleTargetRef"]["name"].Text == workload.Name);
        if (hpa is not null) return hpa.Root["spec"]["minReplicas"].Integer ?? 1;
        return workload.Root["spec"]["replicas"].Integer ?? 1;
    }

    /// <summary>Evictions a PDB allows with all <paramref name="replicas"/> healthy; percentages round up
    /// (kubernetes pkg/controller/disruption: GetScaledValueFromIntOrPercent(..., roundUp: true)).</summary>
    private static int AllowedEvictions(Node spec, int replicas)
    {
        static int Scaled(Node value, int total) => value.Text is { } t && t.EndsWith('%')
            ? (int)Math.Ceiling(int.Parse(t[..^1], System.Globalization.CultureInfo.InvariantCulture) * total / 100.0)
            : value.Integer ?? 0;
        if (spec["maxUnavailable"].Exists) return Math.Min(Scaled(spec["maxUnavailable"], replicas), replicas);
        if (spec["minAvailable"].Exists) return Math.Max(replicas - Scaled(spec["minAvailable"], replicas), 0);
        return replicas; // neither: the budget constrains nothing
    }

    private static bool IsSet(Node source) =>
        !string.IsNullOrWhiteSpace(source.Text)
        || source["secretKeyRef"]["name"].Exists
        || source["configMapKeyRef"]["name"].Exists
        || source["fieldRef"].Exists;

    /// <summary>name:tag (tag not empty) or name@sha256:digest; a registry host with a port is fine.</summary>
    [GeneratedRegex(@"^(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9._/-]+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$")]
    private static partial Regex PinnedImage();
}
