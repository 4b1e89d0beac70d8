using System.Collections.Concurrent;
using System.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// Renders the kustomizations under k8s/ with <c>kubectl kustomize</c> (offline: it reads local files only)
/// and parses the output. Each directory is rendered once per test run.
/// </summary>
internal static class Kustomize
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<K8sObject>>> Cache = new(StringComparer.Ordinal);
    private static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(60);

    public static string K8sRoot => Path.Combine(RepoPaths.Root, "k8s");

    /// <summary>Every kustomization (not Component) under k8s/, as paths relative to k8s/.</summary>
    public static IReadOnlyList<string> Kustomizations() => KustomizationFiles()
        .Where(f => KindOf(f) != "Component")
        .Select(f => Relative(Path.GetDirectoryName(f)!))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Every kustomize Component under k8s/, relative to k8s/.</summary>
    public static IReadOnlyList<string> Components() => KustomizationFiles()
        .Where(f => KindOf(f) == "Component")
        .Select(f => Relative(Path.GetDirectoryName(f)!))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The ones a user applies to run DaprVideo: the broker overlays and the examples built on them.</summary>
    public static IReadOnlyList<string> Deployables() => Kustomizations()
        .Where(d => d.StartsWith("overlays/", StringComparison.Ordinal) || d.StartsWith("examples/", StringComparison.Ordinal))
        .ToList();

    public static IReadOnlyList<K8sObject> Render(string relativeDirectory) =>
        Cache.GetOrAdd(relativeDirectory, d => new Lazy<IReadOnlyList<K8sObject>>(() => Parse(Run(K8sRoot, d)))).Value;

    /// <summary>Renders a kustomization of another copy of the k8s/ tree (not cached).</summary>
    public static IReadOnlyList<K8sObject> RenderAt(string k8sRoot, string relativeDirectory) => Parse(Run(k8sRoot, relativeDirectory));

    public static IEnumerable<string> KustomizationFiles() =>
        Directory.EnumerateFiles(K8sRoot, "kustomization.yaml", SearchOption.AllDirectories);

    /// <summary>All YAML documents of a file.</summary>
    public static IReadOnlyList<Node> ReadYaml(string path) => ParseDocuments(File.ReadAllText(path)).Select(d => d.Node).ToList();

    public static IReadOnlyList<K8sObject> Parse(string yaml) =>
        ParseDocuments(yaml).Where(d => d.Node.IsMap).Select(d => new K8sObject(d.Node, d.Yaml)).ToList();

    private static string? KindOf(string kustomizationFile) =>
        ReadYaml(kustomizationFile) is [var first, ..] ? first["kind"].Text : null;

    private static List<(Node Node, string Yaml)> ParseDocuments(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var serializer = new SerializerBuilder().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var documents = new List<(Node, string)>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var value = deserializer.Deserialize<object>(parser);
            documents.Add((new Node(value), value is null ? "" : serializer.Serialize(value)));
        }
        return documents;
    }

    private static string Relative(string directory) =>
        Path.GetRelativePath(K8sRoot, directory).Replace(Path.DirectorySeparatorChar, '/');

    private static string Run(string k8sRoot, string relativeDirectory)
    {
        var kubectl = FindKubectl();
        var psi = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = k8sRoot,
        };
        psi.ArgumentList.Add("kustomize");
        psi.ArgumentList.Add(relativeDirectory);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {kubectl}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(RenderTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize k8s/{relativeDirectory} did not finish in {RenderTimeout.TotalSeconds} s.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"kubectl kustomize k8s/{relativeDirectory} failed ({process.ExitCode}): {FirstLines(stderr.Result)}");
        return stdout.Result;
    }

    private static string FindKubectl()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "kubectl");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException(
            "kubectl is not on PATH: the deployment tests render k8s/ with `kubectl kustomize` (offline, no cluster needed). " +
            "Install kubectl 1.21 or newer (its built-in kustomize must support Components); Debian's kubernetes-client 1.20 is too old.");
    }

    private static string FirstLines(string text) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("goroutine", StringComparison.Ordinal)).Take(4));
}
