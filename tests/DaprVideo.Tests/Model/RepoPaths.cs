namespace DaprVideo.Tests.Model;

/// <summary>Locates checked-in files (model, fixtures) from the test binary's folder.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding DaprVideo.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string ModelFile => Path.Combine(Root, "models", "ssdlite_mobilenet_v2_coco.onnx");

    public static string ParityFixture(string fileName) =>
        Path.Combine(Root, "tests", "DaprVideo.Tests", "Fixtures", "parity", fileName);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DaprVideo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no DaprVideo.sln above {AppContext.BaseDirectory}");
    }
}
