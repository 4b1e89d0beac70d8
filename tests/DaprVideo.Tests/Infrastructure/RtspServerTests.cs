using System.Diagnostics;

namespace DaprVideo.Tests.Infrastructure;

/// <summary>
/// The test camera itself, read by plain ffprobe: both codecs over both transports, credentials enforced, and a
/// restart on the same port serves again (what the drop tests rely on).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class RtspServerTests
{
    [Theory]
    [InlineData("h264", "tcp", "h264")]
    [InlineData("h264", "udp", "h264")]
    [InlineData("h265", "tcp", "hevc")]
    [InlineData("h265", "udp", "hevc")]
    public async Task Serves_both_codecs_over_tcp_and_udp(string mount, string transport, string codec)
    {
        await using var server = await RtspServerFixture.StartNewAsync();

        var (exit, output, error) = await FfprobeAsync("-rtsp_transport", transport, server.Url(mount));

        Assert.True(exit == 0, $"ffprobe failed: {error}");
        Assert.Equal($"{codec},320,240", output);
    }

    [Theory]
    [InlineData(RtspAuth.Basic, "Basic")]
    [InlineData(RtspAuth.Digest, "Digest")]
    public async Task Asks_for_credentials_with_its_method_and_refuses_a_wrong_password(RtspAuth auth, string method)
    {
        await using var server = await RtspServerFixture.StartNewAsync(auth);

        var good = await FfprobeAsync("-v", "trace", "-rtsp_transport", "tcp", server.Url("h265"));
        var wrong = await FfprobeAsync("-rtsp_transport", "tcp", server.Url("h264", password: "wrong"));
        var none = await FfprobeAsync("-rtsp_transport", "tcp", server.Url("h264", user: ""));

        Assert.True(good.Exit == 0, good.Error[^Math.Min(2000, good.Error.Length)..]);
        Assert.Contains($"WWW-Authenticate: {method} realm=", good.Error, StringComparison.Ordinal);
        Assert.Contains($"Authorization: {method} ", good.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, wrong.Exit);
        Assert.Contains("401 Unauthorized", wrong.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, none.Exit);
        Assert.Contains("401 Unauthorized", none.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopped_it_refuses_connections_and_restarted_it_serves_on_the_same_port()
    {
        await using var server = await RtspServerFixture.StartNewAsync();
        var port = server.Port;

        await server.StopAsync();
        var down = await FfprobeAsync("-rtsp_transport", "tcp", server.Url());
        await server.StartAsync();
        var up = await FfprobeAsync("-rtsp_transport", "tcp", server.Url());

        Assert.Contains("Connection refused", down.Error, StringComparison.Ordinal);
        Assert.Equal(port, server.Port);
        Assert.True(up.Exit == 0, up.Error);
    }

    private static async Task<(int Exit, string Output, string Error)> FfprobeAsync(params string[] args)
    {
        var info = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-timeout", "10000000", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0" }.Concat(args))
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var error = p.StandardError.ReadToEndAsync();
        var output = await p.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, output.Trim(), await error);
    }
}
