namespace DaprVideo.Tests.Deployment;

/// <summary>
/// The images the manifests name (daprvideo/...) can be pointed at the registry the README pushes to with
/// the one edit the README documents: the prefix of the newName lines under <c>images:</c>.
/// </summary>
public sealed class ImageRetargetTests
{
    private const string OwnPrefix = "daprvideo/";
    private const string Registry = "registry.example.test:5000/team/";

    [Fact]
    public void Changing_the_newName_prefix_retargets_every_own_image_of_every_deployable()
    {
        var copy = Path.Combine(Path.GetTempPath(), "daprvideo-k8s-" + Guid.NewGuid().ToString("N"));
        try
        {
            CopyTree(Kustomize.K8sRoot, copy);
            var edited = 0;
            foreach (var file in Directory.EnumerateFiles(copy, "kustomization.yaml", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(file);
                var retargeted = text.Replace("newName: " + OwnPrefix, "newName: " + Registry, StringComparison.Ordinal);
                if (retargeted == text) continue;
                File.WriteAllText(file, retargeted);
                edited++;
            }
            Assert.True(edited > 0, "no kustomization has an images: entry with newName daprvideo/...");

            foreach (var directory in Kustomize.Deployables())
            {
                var original = Images(Kustomize.Render(directory)).Where(i => i.StartsWith(OwnPrefix, StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(original);
                var after = Images(Kustomize.RenderAt(copy, directory)).ToList();
                Assert.DoesNotContain(after, i => i.StartsWith(OwnPrefix, StringComparison.Ordinal));
                foreach (var image in original)
                    Assert.Contains(Registry + image[OwnPrefix.Length..], after);
            }
        }
        finally
        {
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void Readme_documents_the_edit()
    {
        var readme = File.ReadAllText(Path.Combine(Kustomize.K8sRoot, "README.md"));
        Assert.Contains("newName", readme, StringComparison.Ordinal);
        Assert.Contains("kustomize edit set image", readme, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Images(IEnumerable<K8sObject> objects) =>
        objects.Where(o => o.IsWorkload).SelectMany(w => w.AllContainers).Select(c => c["image"].Text ?? "");

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
