using DaprVideo.Tests.Distributed.RunFile;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// The real <c>daprvideo process</c> stopped mid-run as a user or a supervisor stops it (Ctrl+C, kill, systemd,
/// Kubernetes): one line, exit 130, and no half-written output, so the same command can be run again.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ProcessSignalTests
{
    [Theory]
    [InlineData(AppProcess.Sigterm, "SIGTERM")]
    [InlineData(AppProcess.Sigint, "SIGINT")]
    public async Task A_stopped_process_says_so_and_leaves_no_partial_output(int signal, string name)
    {
        Assert.True(File.Exists(EmbeddedBuild.Assembly), $"no embedded build at {EmbeddedBuild.Assembly}; build the solution first");
        using var tmp = new TempDirectory();
        var streamDir = Path.Combine(tmp.Path, "out", "testsrc");
        var env = new Dictionary<string, string>
        {
            ["MODEL_PATH"] = RepoPaths.Model,
            ["SEGMENT_SECONDS"] = "1",
            ["DETECT_FPS"] = "1",
            ["DETECTOR_THREADS"] = "1",
        };
        await using var run = AppProcess.Start("process", ["dotnet", EmbeddedBuild.Assembly, "process", "testsrc:duration=600", "--out", Path.Combine(tmp.Path, "out")],
            tmp.Path, env);
        // Stopped once it has written annotated segments: the run is well under way.
        await Eventually.HoldsAsync(() => Task.FromResult(run.HasExited || Segments(streamDir) > 0), done => done, $"process to write a segment ({name})");
        Assert.False(run.HasExited, run.Output);

        run.Signal(signal);
        var code = await run.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 130, $"exit {code?.ToString() ?? "none within 60 s"} after {name}:\n{run.Output}");
        Assert.Contains("error: cancelled.", run.Output);
        Assert.DoesNotContain("   at ", run.Output);
        Assert.False(Directory.Exists(streamDir), $"{name} left {streamDir} behind; the next run would refuse it");
    }

    private static int Segments(string streamDir)
    {
        var segments = Path.Combine(streamDir, "segments");
        try
        {
            return Directory.Exists(segments) ? Directory.EnumerateFiles(segments, "*.ts").Count() : 0;
        }
        catch (DirectoryNotFoundException)
        {
            return 0; // removed between the check and the listing
        }
    }
}
