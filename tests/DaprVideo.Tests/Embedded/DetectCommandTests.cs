using System.Diagnostics;
using System.Text.Json;
using DaprVideo.Embedded.Cli;

namespace DaprVideo.Tests.Embedded;

public class DetectCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await CommandLine.RunAsync(args, stdout, stderr, _ => null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void AssertOneLineError(string stderr, string expected)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    [Fact]
    public async Task Prints_the_detections_as_a_json_array_in_the_documented_shape()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await CommandLine.RunAsync(["detect", RepoPaths.Photo("chelsea.png"), "--threshold", "0.6"], stdout, stderr,
            name => name == "MODEL_PATH" ? RepoPaths.Model : null);

        Assert.Equal(0, code);
        Assert.Empty(stderr.ToString());
        using var json = JsonDocument.Parse(stdout.ToString());
        var first = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(["label", "classId", "score", "box"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("cat", first.GetProperty("label").GetString());
        Assert.Equal(17, first.GetProperty("classId").GetInt32());
        Assert.Equal(["x", "y", "w", "h"], first.GetProperty("box").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Missing_file_exits_2_with_one_line()
    {
        var (code, stdout, stderr) = await Run("detect", "/no/such/photo.png");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        AssertOneLineError(stderr, "No such file");
    }

    [Fact]
    public async Task File_that_is_not_an_image_exits_2()
    {
        using var tmp = new TempDirectory();
        await File.WriteAllTextAsync(tmp.File("notes.png"), "this is text, not a picture");

        var (code, _, stderr) = await Run("detect", tmp.File("notes.png"));

        Assert.Equal(2, code);
        AssertOneLineError(stderr, "Not an image");
    }

    [Fact]
    public async Task Empty_file_exits_2()
    {
        using var tmp = new TempDirectory();
        await File.WriteAllBytesAsync(tmp.File("empty.jpg"), []);

        var (code, _, stderr) = await Run("detect", tmp.File("empty.jpg"));

        Assert.Equal(2, code);
        AssertOneLineError(stderr, "Not an image");
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("abc")]
    [InlineData("NaN")]
    public async Task Bad_threshold_exits_2(string threshold)
    {
        var (code, _, stderr) = await Run("detect", RepoPaths.Photo("chelsea.png"), "--threshold", threshold);
        Assert.Equal(2, code);
        AssertOneLineError(stderr, "--threshold must be a number from 0 to 1");
    }

    [Fact]
    public async Task Missing_argument_unknown_option_and_directory_are_usage_errors()
    {
        Assert.Equal(2, (await Run("detect")).Code);
        var unknown = await Run("detect", RepoPaths.Photo("chelsea.png"), "--treshold", "0.3");
        Assert.Equal(2, unknown.Code);
        AssertOneLineError(unknown.Err, "Unknown option --treshold");
        var dir = await Run("detect", RepoPaths.Root);
        AssertOneLineError(dir.Err, "is a directory");
    }

    [Fact]
    public async Task Bad_environment_threshold_names_the_variable()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await CommandLine.RunAsync(["detect", RepoPaths.Photo("chelsea.png")], stdout, stderr,
            name => name == "SCORE_THRESHOLD" ? "2" : null);
        Assert.Equal(2, code);
        AssertOneLineError(stderr.ToString(), "SCORE_THRESHOLD");
    }

    [Fact]
    public async Task The_real_process_prints_no_stack_trace()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "daprvideo.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { dll, "detect", "/no/such/photo.png" }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        AssertOneLineError(stderr, "No such file");
        Assert.DoesNotContain("   at ", stderr);
    }
}
