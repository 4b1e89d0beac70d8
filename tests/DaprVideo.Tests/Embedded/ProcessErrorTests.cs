using DaprVideo.Embedded.Cli;

namespace DaprVideo.Tests.Embedded;

/// <summary>Hostile and broken input to <c>process</c>: one clear line, non-zero exit, nothing that looks like a result.</summary>
public class ProcessErrorTests
{
    private static async Task<(int Code, string Err)> Process(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await CommandLine.RunAsync(["process", .. args], stdout, stderr, name => name == "MODEL_PATH" ? RepoPaths.Model : null);
        return (code, stderr.ToString());
    }

    private static void AssertOneErrorLine(string stderr, string expected)
    {
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("progress:", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.StartsWith("error: ", errors[0]);
        Assert.Contains(expected, errors[0], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", stderr);
    }

    public static TheoryData<string, byte[], string> BrokenFiles => new()
    {
        { "notes.mp4", "These are meeting notes, not a video.\n"u8.ToArray(), "invalid data" },
        { "empty.mp4", [], "" },
        { "photo.png.mp4", File.ReadAllBytes(RepoPaths.Photo("chelsea.png"))[..5000], "" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task Broken_files_fail_cleanly_and_leave_no_playlist(string name, byte[] content, string expected)
    {
        using var tmp = new TempDirectory();
        await File.WriteAllBytesAsync(tmp.File(name), content);

        var (code, err) = await Process(tmp.File(name), "--out", tmp.File("out"));

        Assert.NotEqual(0, code);
        AssertOneErrorLine(err, expected);
        Assert.Empty(Directory.Exists(tmp.File("out")) ? Directory.GetFiles(tmp.File("out"), "*.m3u8", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task A_truncated_video_fails_cleanly()
    {
        using var tmp = new TempDirectory();
        await PhotoClip.MakeAsync(tmp.File("whole.mp4"));
        var whole = await File.ReadAllBytesAsync(tmp.File("whole.mp4"));
        await File.WriteAllBytesAsync(tmp.File("cut.mp4"), whole[..(whole.Length / 2)]);

        var (code, err) = await Process(tmp.File("cut.mp4"), "--out", tmp.File("out"));

        Assert.NotEqual(0, code);
        AssertOneErrorLine(err, "Invalid data found");
        Assert.False(Directory.Exists(Path.Combine(tmp.File("out"), "cut")));
    }

    [Theory]
    [InlineData("concat:/etc/passwd|/etc/hosts")]
    [InlineData("subfile:,start,0,end,10,:/etc/passwd")]
    [InlineData("data:video/mp4;base64,AAAA")]
    [InlineData("file:/etc/passwd")]
    [InlineData("gopher://127.0.0.1/x")]
    public async Task Refused_schemes_exit_2(string source)
    {
        using var tmp = new TempDirectory();
        var (code, err) = await Process(source, "--out", tmp.File("out"));
        Assert.Equal(2, code);
        AssertOneErrorLine(err, "");
        Assert.False(Directory.Exists(tmp.File("out")) && Directory.EnumerateFileSystemEntries(tmp.File("out")).Any());
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("UPPER")]
    [InlineData("this-id-is-far-too-long-for-a-stream-because-it-goes-on-and-on-and-on")]
    public async Task Bad_ids_exit_2(string id)
    {
        using var tmp = new TempDirectory();
        var (code, err) = await Process("testsrc:duration=1", "--out", tmp.File("out"), "--id", id);
        Assert.Equal(2, code);
        AssertOneErrorLine(err, "Invalid --id");
    }

    [Fact]
    public async Task Existing_output_is_never_overwritten()
    {
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.File("out/mine"));
        await File.WriteAllTextAsync(tmp.File("out/mine/index.m3u8"), "precious");

        var (code, err) = await Process("testsrc:duration=1", "--out", tmp.File("out"), "--id", "mine");

        Assert.Equal(2, code);
        AssertOneErrorLine(err, "already exists");
        Assert.Equal("precious", await File.ReadAllTextAsync(tmp.File("out/mine/index.m3u8")));
    }

    [Fact]
    public async Task An_endless_test_pattern_is_refused_by_process()
    {
        using var tmp = new TempDirectory();
        var (code, err) = await Process("testsrc", "--out", tmp.File("out"));
        Assert.Equal(2, code);
        AssertOneErrorLine(err, "finite source");
    }

    [Theory]
    [InlineData("process", "--help")]
    [InlineData("process", "clip.mp4", "-h")]
    [InlineData("serve", "--help")]
    public async Task Help_after_a_command_prints_the_usage_and_exits_0(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await CommandLine.RunAsync(args, stdout, stderr, _ => null);
        Assert.Equal(0, code);
        Assert.Contains("usage: daprvideo <command>", stdout.ToString());
        Assert.Equal("", stderr.ToString());
    }
}
