using DaprVideo.Tests.Distributed.RunFile;

namespace DaprVideo.Tests.Embedded;

/// <summary>The real <c>daprvideo serve</c> process: stopped by SIGTERM (as Kubernetes, systemd and the Dapr CLI stop it) it shuts down cleanly.</summary>
public sealed class ServeProcessTests
{
    [Fact]
    public async Task Serve_stops_gracefully_on_SIGTERM_with_exit_code_0()
    {
        Assert.True(File.Exists(EmbeddedBuild.Assembly), $"no embedded build at {EmbeddedBuild.Assembly}; build the solution first");
        using var tmp = new TempDirectory();
        var data = tmp.File("data");
        await using var serve = AppProcess.Start("serve",
            ["dotnet", EmbeddedBuild.Assembly, "serve", "--port", "0", "--data", data],
            tmp.Path, new Dictionary<string, string> { ["MODEL_PATH"] = RepoPaths.Model });

        await Eventually.HoldsAsync(() => Task.FromResult(serve.Output), o => o.Contains("DaprVideo is serving on", StringComparison.Ordinal) || serve.HasExited,
            "serve to start", seconds: 60);
        Assert.False(serve.HasExited, "serve exited at start:\n" + serve.Output);

        // SIGTERM, then up to 30 s before the helper kills it (a kill would not exit with 0).
        var exitCode = await serve.StopAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"exit code {exitCode}; output:\n{serve.Output}");
        Assert.Contains("Application is shutting down", serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_on_a_taken_port_exits_with_one_line_and_no_stack_trace()
    {
        Assert.True(File.Exists(EmbeddedBuild.Assembly), $"no embedded build at {EmbeddedBuild.Assembly}; build the solution first");
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        using var tmp = new TempDirectory();
        await using var serve = AppProcess.Start("serve",
            ["dotnet", EmbeddedBuild.Assembly, "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", tmp.File("data")],
            tmp.Path, new Dictionary<string, string> { ["MODEL_PATH"] = RepoPaths.Model });

        var exitCode = await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 2, $"exit code {exitCode}; output:\n{serve.Output}");
        Assert.Contains($"error: Port {port} on 127.0.0.1 is already in use", serve.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", serve.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", serve.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("data")) && Directory.EnumerateFileSystemEntries(tmp.File("data")).Any(), "serve left data behind");
    }
}
