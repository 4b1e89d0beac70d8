using DaprVideo.Embedded.Cli;

namespace DaprVideo.Tests.Embedded;

/// <summary>Runs <c>process</c> once on the photo clip; the tests inspect what it wrote.</summary>
public sealed class ProcessedClipFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _tmp = new();

    public string Source => _tmp.File("photos.mp4");
    public string Out => _tmp.File("out");
    public string StreamDir => Path.Combine(Out, "photos");
    public int ExitCode { get; private set; }
    public string Stdout { get; private set; } = "";
    public string Stderr { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await PhotoClip.MakeAsync(Source);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        ExitCode = await CommandLine.RunAsync(["process", Source, "--out", Out], stdout, stderr,
            name => name == "MODEL_PATH" ? RepoPaths.Model : null);
        (Stdout, Stderr) = (stdout.ToString(), stderr.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _tmp.Dispose();
}
