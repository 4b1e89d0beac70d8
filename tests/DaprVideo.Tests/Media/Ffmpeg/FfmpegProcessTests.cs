using DaprVideo.Media.Ffmpeg;

namespace DaprVideo.Tests.Media.Ffmpeg;

public sealed class FfmpegProcessTests
{
    /// <summary>
    /// Found by bench/SoakBench: Process.Dispose leaves synchronously read pipes to the finalizer, so a serve with one
    /// camera held 1.7 more pipe descriptors every second until a garbage collection happened to run.
    /// </summary>
    [Fact]
    public async Task Disposing_closes_every_pipe_at_once()
    {
        var process = FfmpegProcess.Start(FfmpegTools.Default.Ffmpeg, ["-hide_banner", "-f", "lavfi", "-i", "testsrc=duration=0.2", "-f", "null", "-"], redirectInput: true);
        var stdin = process.StandardInput;
        var stdout = process.StandardOutput;
        Assert.Equal(0, await process.WaitForExitAsync(CancellationToken.None));

        await process.DisposeAsync();

        // A disposed pipe refuses use; an open one would answer end-of-stream (stdout) or accept a write into the void.
        Assert.Throws<ObjectDisposedException>(() => stdout.ReadByte());
        Assert.Throws<ObjectDisposedException>(() => stdin.WriteByte(0));
    }
}
