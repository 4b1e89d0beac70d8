using DaprVideo.Tests.DaprSidecar.Runtime;

namespace DaprVideo.Tests.DaprSidecarTests.Runtime;

/// <summary>
/// The committed dapr.yaml + components/ as `dapr run -f .` would start them. The CLI starts daprd with working
/// folder = appDirPath (cli cmd/run.go startDaprdAndAppProcesses), and secretstores.local.file opens secretsFile
/// relative to that folder (contrib secretstores/local/file/filestore.go).
/// </summary>
public sealed class CommittedLayoutTests
{
    [Fact]
    public void A_secrets_path_relative_to_the_repository_root_makes_daprd_exit()
    {
        // The value components/*/secretstore.yaml had before the fix (regression record): daprd for ingest runs in
        // services/Ingest, where no components/secrets.json exists.
        const string before = "./components/secrets.json";
        using var layout = new RepoLayoutCopy();
        layout.SetSecretsFile(before);
        var ingest = DaprRunFile.Load(layout.RunFile).App("ingest");
        Assert.Equal(Path.Combine(layout.Root, "services", "Ingest"), ingest.AppDirPath);

        var error = Assert.Throws<DaprStartupException>(() => SidecarResources.Load(ingest));

        var resolved = Path.GetFullPath(Path.Combine(ingest.AppDirPath, before));
        Assert.Contains("failed to load components: process component secretstore error", error.Message, StringComparison.Ordinal);
        Assert.Contains($"open {before}: no such file or directory", error.Message, StringComparison.Ordinal);
        Assert.Contains(resolved, error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(layout.SecretsFile), "the secrets file exists, just not where daprd looks");
    }

    [Fact]
    public void The_committed_layout_loads_for_every_app_and_fills_the_objectstore_credentials()
    {
        using var layout = new RepoLayoutCopy();
        var run = DaprRunFile.Load(layout.RunFile);

        foreach (var appId in new[] { "ingest", "inference", "playlist" })
        {
            var sidecar = SidecarResources.Load(run.App(appId));

            var objectstore = sidecar.Find("objectstore");
            Assert.NotNull(objectstore);
            Assert.Equal("bindings.aws.s3", objectstore.Type);
            Assert.Equal("test-s3-access-key", objectstore.Metadata["accessKey"]);
            Assert.Equal("test-s3-secret-key", objectstore.Metadata["secretKey"]);
            Assert.Equal(appId, sidecar.Find("pubsub")!.Metadata["consumerID"]); // "{appID}"
            Assert.Equal("secretstore", sidecar.Components[0].Name); // secret stores are initialised first
            Assert.Single(sidecar.ResiliencyDocuments);
            Assert.NotNull(sidecar.ConfigurationDocument);
            Assert.Empty(sidecar.ParkedComponents);
        }
        // Every component is scoped to the three pipeline apps: the model server's sidecar loads none.
        Assert.Empty(SidecarResources.Load(run.App("modelserver")).Components);
    }
}
