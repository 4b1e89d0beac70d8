using System.Net;
using System.Net.Http.Json;
using DaprVideo.Ingest;
using DaprVideo.Tests.Distributed.RunFile;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// A host that dies without running any code of its own (SIGKILL, OOM kill) leaves no ffmpeg behind: every ffmpeg is
/// started bound to the process (PR_SET_PDEATHSIG through setpriv, from a thread that lives as long as the process).
/// The next Ingest removes what the dead one left in the scratch folder, and nothing of a running one.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class OrphanTests
{
    [Fact]
    public async Task A_SIGKILLed_serve_leaves_no_capturing_ffmpeg_behind()
    {
        Assert.True(File.Exists(EmbeddedBuild.Assembly), $"no embedded build at {EmbeddedBuild.Assembly}; build the solution first");
        Assert.True(File.Exists("/usr/bin/setpriv"), "setpriv (util-linux) is missing");
        using var tmp = new TempDirectory();
        var data = tmp.File("data");
        await using var serve = AppProcess.Start("serve",
            ["dotnet", EmbeddedBuild.Assembly, "serve", "--port", "0", "--data", data],
            tmp.Path, new Dictionary<string, string> { ["MODEL_PATH"] = RepoPaths.Model, ["SEGMENT_SECONDS"] = "1" });
        var url = await Eventually.HoldsAsync(() => Task.FromResult(ServingUrl(serve.Output)), u => u is not null || serve.HasExited, "serve to start", seconds: 60);
        Assert.False(serve.HasExited, "serve exited at start:\n" + serve.Output);
        using var http = new HttpClient { BaseAddress = new Uri(url!) };
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/streams", new { id = "live", source = "testsrc:size=160x120:rate=10" })).StatusCode);
        // Long enough for thread-pool threads to come and go: the binding must hold to the process, not to a thread.
        await Eventually.HoldsAsync(async () => (await http.GetFromJsonAsync<StreamStatus>("/api/streams/live"))!.Segments, n => n >= 3, "three segments");

        var children = ProcessArguments.All().Where(p => ProcessArguments.LiveParent(p.Pid) == serve.Id && p.Arguments.Contains(data, StringComparison.Ordinal)).ToList();
        Assert.Contains(children, c => c.Arguments.StartsWith("ffmpeg ", StringComparison.Ordinal) || c.Arguments.Contains("/ffmpeg ", StringComparison.Ordinal));
        await serve.KillAsync();

        var left = await Eventually.HoldsAsync(
            () => Task.FromResult(children.Where(c => ProcessArguments.LiveParent(c.Pid) is not null && ProcessArguments.All().Any(p => p.Pid == c.Pid && p.Arguments == c.Arguments)).ToList()),
            l => l.Count == 0, "the serve's ffmpeg to die with it", seconds: 30);
        Assert.Empty(left);
        Assert.Empty(ProcessArguments.Containing(data));
    }

    [Fact]
    public async Task At_start_a_dead_ingests_scratch_leftovers_are_removed_and_a_running_ones_kept()
    {
        using var tmp = new TempDirectory();
        var root = tmp.File("scratch");
        using var running = ScratchArea.Claim(root);
        var runningCapture = running.NewCaptureDirectory("cam");
        await File.WriteAllBytesAsync(Path.Combine(runningCapture, "chunk-000000001.ts"), new byte[188]);
        // What a SIGKILLed Ingest leaves: its folder, its (now unlocked) owner file, a half-written chunk and an input script.
        var dead = Path.Combine(root, "ingest-4242-deadbeef");
        Directory.CreateDirectory(Path.Combine(dead, "cam-0badf00d"));
        await File.WriteAllTextAsync(Path.Combine(dead, ".owner"), "");
        await File.WriteAllBytesAsync(Path.Combine(dead, "cam-0badf00d", "chunk-000000007.ts"), new byte[188]);
        await File.WriteAllTextAsync(Path.Combine(dead, "cam-0badf00d", "input-1.ffconcat"), "file 'rtsp://u:p@cam/'");
        var notOurs = Path.Combine(root, "someone-else");
        Directory.CreateDirectory(notOurs);

        using var next = ScratchArea.Claim(root);

        Assert.False(Directory.Exists(dead), "the dead Ingest's folder is still there");
        Assert.Equal(1, next.RemovedLeftovers);
        Assert.True(File.Exists(Path.Combine(runningCapture, "chunk-000000001.ts")), "a running Ingest's chunk was removed");
        Assert.True(Directory.Exists(notOurs));
        Assert.NotEqual(running.Path, next.Path);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(next.Path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(runningCapture));
        }
    }

    [Fact]
    public async Task Serve_removes_a_dead_ingests_leftovers_when_it_starts()
    {
        string? dead = null;
        await using var host = await ServeHost.StartAsync(prepareData: async data =>
        {
            dead = Path.Combine(data, ".scratch", "ingest-4242-deadbeef");
            Directory.CreateDirectory(Path.Combine(dead, "cam-0badf00d"));
            await File.WriteAllTextAsync(Path.Combine(dead, ".owner"), "");
            await File.WriteAllBytesAsync(Path.Combine(dead, "cam-0badf00d", "chunk-000000007.ts"), new byte[188]);
        });

        await Eventually.HoldsAsync(() => Task.FromResult(Directory.Exists(dead)), exists => !exists, "the leftovers to be removed", seconds: 30);
    }

    private static string? ServingUrl(string output)
    {
        var m = System.Text.RegularExpressions.Regex.Match(output, @"DaprVideo is serving on (http://\S+?)/?(\s|$)");
        return m.Success ? m.Groups[1].Value : null;
    }
}
