namespace DaprVideo.Tests.TestSupport;

/// <summary>Locates files of the repository from the test output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Photo(string name) => Path.Combine(Root, "assets", "photos", name);

    public static string Model => Path.Combine(Root, "models", "ssdlite_mobilenet_v2_coco.onnx");

    public static string ParityFixture(string fileName) =>
        Path.Combine(Root, "tests", "DaprVideo.Tests", "Fixtures", "parity", fileName);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DaprVideo.sln"))) return dir.FullName;
        throw new InvalidOperationException("DaprVideo.sln not found above " + AppContext.BaseDirectory);
    }
}
