namespace DaprVideo.Tests.Deployment;

/// <summary>
/// The manifests carry no secret values, and every secret they refer to (by name and key) is either
/// documented in a secret.example.yaml or produced in-cluster (by an ObjectBucketClaim).
/// </summary>
public sealed class SecretTests
{
    /// <summary>Keys of the Secret Rook writes for an ObjectBucketClaim (same name as the claim).</summary>
    private static readonly string[] BucketClaimKeys = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

    public static TheoryData<string> AllKustomizations() => [.. Kustomize.Kustomizations()];

    [Theory]
    [MemberData(nameof(AllKustomizations))]
    public void No_rendered_secret_carries_data(string directory)
    {
        foreach (var secret in Rendered.Of(directory).OfKind("Secret"))
        {
            Assert.False(secret.Root["data"].Entries.Any(), $"{directory}: Secret {secret.Name} has data");
            Assert.False(secret.Root["stringData"].Entries.Any(), $"{directory}: Secret {secret.Name} has stringData");
        }
    }

    [Theory]
    [MemberData(nameof(AllKustomizations))]
    public void Every_secret_reference_is_documented_or_provisioned(string directory)
    {
        var rendered = Rendered.Of(directory);
        var documented = DocumentedSecrets();
        foreach (var claim in rendered.OfKind("ObjectBucketClaim"))
            documented[claim.Name] = [.. BucketClaimKeys];

        foreach (var (name, key, where) in References(rendered))
        {
            Assert.True(documented.TryGetValue(name, out var keys), $"{directory}: {where} uses Secret '{name}', documented in no secret.example.yaml");
            if (key is not null) Assert.True(keys.Contains(key), $"{directory}: {where} uses key '{key}' of Secret '{name}', not documented");
        }
    }

    [Fact]
    public void Secret_examples_hold_placeholders_only()
    {
        foreach (var file in SecretExampleFiles())
            foreach (var doc in Kustomize.ReadYaml(file))
            {
                Assert.Equal("Secret", doc["kind"].Text);
                Assert.Equal(Conventions.Namespace, doc["metadata"]["namespace"].Text);
                Assert.False(doc["data"].Exists, $"{file}: use stringData placeholders, not data");
                foreach (var (key, value) in doc["stringData"].Entries)
                    Assert.Matches("^<.+>$", value.Text ?? "");
            }
    }

    private static Dictionary<string, HashSet<string>> DocumentedSecrets()
    {
        var secrets = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in SecretExampleFiles())
            foreach (var doc in Kustomize.ReadYaml(file))
                secrets[doc["metadata"]["name"].Text!] = doc["stringData"].Keys.ToHashSet(StringComparer.Ordinal);
        return secrets;
    }

    private static IEnumerable<string> SecretExampleFiles() =>
        Directory.EnumerateFiles(Kustomize.K8sRoot, "secret.example.yaml", SearchOption.AllDirectories);

    /// <summary>(secret, key or null for the whole secret, where) for every way a rendered object names a Secret.</summary>
    internal static IEnumerable<(string Name, string? Key, string Where)> References(Rendered rendered)
    {
        foreach (var workload in rendered.Workloads)
        {
            foreach (var annotation in new[] { "dapr.io/app-token-secret", "dapr.io/api-token-secret" })
                if (workload.PodAnnotations.TryGetValue(annotation, out var secret))
                    yield return (secret, "token", $"{workload} {annotation}");
            foreach (var container in workload.AllContainers)
            {
                foreach (var e in container["env"].Items)
                    if (e["valueFrom"]["secretKeyRef"]["name"].Text is { } name)
                        yield return (name, e["valueFrom"]["secretKeyRef"]["key"].Text, $"{workload} env {e["name"]}");
                foreach (var from in container["envFrom"].Items)
                    if (from["secretRef"]["name"].Text is { } name)
                        yield return (name, null, $"{workload} envFrom");
            }
            foreach (var volume in workload.PodSpec["volumes"].Items)
                if (volume["secret"]["secretName"].Text is { } name)
                    yield return (name, null, $"{workload} volume {volume["name"]}");
        }
        foreach (var component in rendered.DaprComponents)
            foreach (var m in component.Root["spec"]["metadata"].Items)
                if (m["secretKeyRef"]["name"].Text is { } name)
                    yield return (name, m["secretKeyRef"]["key"].Text, $"Component {component.Name} {m["name"]}");
        foreach (var auth in rendered.OfKind("TriggerAuthentication"))
            foreach (var target in auth.Root["spec"]["secretTargetRef"].Items)
                yield return (target["name"].Text!, target["key"].Text, $"TriggerAuthentication {auth.Name}");
    }
}
