using DaprVideo.ModelServer;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// The model servers size their thread pools from the container's CPU limit (ONNX Runtime and TensorFlow
/// both default to the host's cores), and ModelServer, which reads no Dapr component, runs without a sidecar.
/// </summary>
public sealed class ModelServerTests
{
    private static readonly string[] OnnxThreadFlags = ["--intra_op_threads="];
    private static readonly string[] TensorFlowThreadFlags = ["--tensorflow_intra_op_parallelism=", "--tensorflow_inter_op_parallelism="];

    public static TheoryData<string> Deployables() => [.. Kustomize.Deployables()];

    [Theory]
    [MemberData(nameof(Deployables))]
    public void ModelServer_runs_without_a_dapr_sidecar(string directory)
    {
        foreach (var workload in ModelServerWorkloads(Rendered.Of(directory)))
        {
            var dapr = workload.PodAnnotations.Keys.Where(k => k.StartsWith("dapr.io/", StringComparison.Ordinal)).ToList();
            Assert.True(dapr.Count == 0, $"{directory}: {workload} still has {string.Join(", ", dapr)}");
        }
    }

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Model_servers_take_their_thread_count_from_the_cpu_limit(string directory)
    {
        var rendered = Rendered.Of(directory);
        var servers = rendered.Workloads.SelectMany(w => w.Containers.Select(c => (Workload: w, Container: c)))
            .Select(x => (x.Workload, x.Container, Flags: ThreadFlags(x.Container)))
            .Where(x => x.Flags is not null)
            .ToList();
        Assert.NotEmpty(servers);
        foreach (var (workload, container, flags) in servers)
        {
            var where = $"{directory}: {workload} container {container["name"]}";
            Assert.True(container["resources"]["limits"]["cpu"].Exists, $"{where}: no CPU limit to size the threads by");
            var args = container["args"].Items.Select(a => a.Text ?? "").ToList();
            foreach (var flag in flags!)
            {
                var value = args.SingleOrDefault(a => a.StartsWith(flag, StringComparison.Ordinal))?[flag.Length..];
                Assert.True(value is not null, $"{where}: no {flag}");
                Assert.True(value.StartsWith("$(", StringComparison.Ordinal) && value.EndsWith(')'),
                    $"{where}: {flag}{value} is not taken from an environment variable");
                var variable = value[2..^1];
                var source = container["env"].Items.SingleOrDefault(e => e["name"].Text == variable)?["valueFrom"]["resourceFieldRef"];
                Assert.True(source is not null && source.Exists, $"{where}: {variable} does not come from a resourceFieldRef");
                Assert.Equal("limits.cpu", source["resource"].Text);
                Assert.True(source["containerName"].Text is null || source["containerName"].Text == container["name"].Text,
                    $"{where}: {variable} reads another container's limit");
                // Divisor 1 gives whole CPUs, rounded up (kubernetes pkg/api/v1/resource/helpers.go).
                Assert.True(source["divisor"].Text is null or "1", $"{where}: {variable} divisor {source["divisor"]} is not 1");
            }
        }
    }

    [Fact]
    public void ModelServer_understands_the_thread_flag_the_manifest_passes() =>
        Assert.Equal(2, ModelServerOptions.Parse(["--intra_op_threads=2"]).IntraOpThreads);

    private static IEnumerable<K8sObject> ModelServerWorkloads(Rendered rendered) =>
        rendered.Workloads.Where(w => w.Containers.Any(c => c["image"].Text?.Contains("/modelserver:", StringComparison.Ordinal) == true));

    /// <summary>The thread flags a model server container must carry; null for other containers.</summary>
    private static string[]? ThreadFlags(Node container)
    {
        var image = container["image"].Text ?? "";
        if (image.Contains("/modelserver:", StringComparison.Ordinal)) return OnnxThreadFlags;
        if (image.StartsWith("tensorflow/serving:", StringComparison.Ordinal)) return TensorFlowThreadFlags;
        return null;
    }
}
