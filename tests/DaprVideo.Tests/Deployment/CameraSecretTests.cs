using DaprVideo.Ingest;
using DaprVideo.Tests.DaprSidecar;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// Camera credentials in Kubernetes: Ingest (and only Ingest) may read Secrets, through Dapr's secrets API under its own
/// Configuration, whose scopes let a camera Secret through and none of the Secrets the deployment itself uses.
/// </summary>
public sealed class CameraSecretTests
{
    public static TheoryData<string> Deployables() => [.. Kustomize.Deployables()];

    [Theory]
    [MemberData(nameof(Deployables))]
    public void Ingest_reads_camera_secrets_and_none_of_the_deployments_own(string directory)
    {
        var rendered = Rendered.Of(directory);
        var ingest = rendered.DaprApp(Conventions.Ingest.Id);
        var account = ingest.PodSpec["serviceAccountName"].Text;
        Assert.Equal("ingest", account);
        Assert.True(MayGetSecrets(rendered, account!), $"{directory}: service account {account} may not get Secrets (its daprd reads them)");

        var scopes = Scopes(rendered, ingest);
        var store = Assert.Single(scopes, s => s.StoreName == "secretstore");
        Assert.True(store.IsSecretAllowed("camera-lobby"), $"{directory}: ingest cannot read a camera Secret through the API");
        var own = SecretTests.References(rendered).Select(r => r.Name)
            .Concat(rendered.OfKind("ObjectBucketClaim").Select(c => c.Name))
            .Distinct(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(own);
        foreach (var name in own)
            Assert.False(store.IsSecretAllowed(name), $"{directory}: ingest could read the deployment's Secret '{name}' through the API");
        // Dapr's built-in store of the same Secrets stays closed (docs: scope it too, or it is open).
        Assert.False(Assert.Single(scopes, s => s.StoreName == "kubernetes").IsSecretAllowed("camera-lobby"));

        foreach (var app in Conventions.PipelineApps.Where(a => a != Conventions.Ingest))
        {
            var workload = rendered.DaprApp(app.Id);
            Assert.NotEqual("ingest", workload.PodSpec["serviceAccountName"].Text);
            foreach (var s in Scopes(rendered, workload))
                Assert.False(s.IsSecretAllowed("camera-lobby"), $"{directory}: {app.Id} can read secrets of {s.StoreName}");
        }
    }

    [Fact]
    public void The_camera_secret_example_has_the_keys_Ingest_reads()
    {
        var camera = Kustomize.ReadYaml(Path.Combine(Kustomize.K8sRoot, "base", "secret.example.yaml"))
            .Single(d => d["metadata"]["name"].Text == "camera-lobby");
        Assert.Equal([StreamCredentials.PasswordKey, StreamCredentials.UsernameKey], camera["stringData"].Keys.Order(StringComparer.Ordinal));
    }

    private static IReadOnlyList<SecretScope> Scopes(Rendered rendered, K8sObject workload)
    {
        var name = workload.PodAnnotations["dapr.io/config"];
        var config = rendered.Find("Configuration", name);
        Assert.NotNull(config);
        return [.. config.Root["spec"]["secrets"]["scopes"].Items.Select(s => new SecretScope(
            s["storeName"].Text ?? "", s["defaultAccess"].Text ?? "",
            [.. s["allowedSecrets"].Items.Select(i => i.Text!)], [.. s["deniedSecrets"].Items.Select(i => i.Text!)]))];
    }

    private static bool MayGetSecrets(Rendered rendered, string account) =>
        rendered.OfKind("RoleBinding")
            .Where(b => b.Root["subjects"].Items.Any(s => s["kind"].Text == "ServiceAccount" && s["name"].Text == account))
            .Select(b => rendered.Find(b.Root["roleRef"]["kind"].Text!, b.Root["roleRef"]["name"].Text!))
            .Any(role => role is not null && role.Root["rules"].Items.Any(r =>
                r["resources"].Items.Any(x => x.Text == "secrets") && r["verbs"].Items.Any(v => v.Text is "get" or "*")));
}
