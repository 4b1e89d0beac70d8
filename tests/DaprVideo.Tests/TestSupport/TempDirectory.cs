namespace DaprVideo.Tests.TestSupport;

/// <summary>A scratch folder removed with the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("daprvideo-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* a process may still hold a file; the OS temp cleaner gets it */ }
    }
}
