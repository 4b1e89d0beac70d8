using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DaprVideo.Tests.Distributed.RunFile;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// The real <c>daprvideo serve</c> process (the embedded build output) on a free loopback port, on a data folder that
/// outlives it, so a test can signal it (SIGTERM, SIGINT, SIGKILL) and start it again on the same data.
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    private ServeProcess(AppProcess process, Uri url)
    {
        Process = process;
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public AppProcess Process { get; }
    public Uri Url { get; }
    public HttpClient Http { get; }

    /// <summary>Starts serve with 1-s segments and a small detection rate; waits until it says where it serves.</summary>
    public static async Task<ServeProcess> StartAsync(string data, string media, IReadOnlyDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists(EmbeddedBuild.Assembly), $"no embedded build at {EmbeddedBuild.Assembly}; build the solution first");
        var env = new Dictionary<string, string>
        {
            ["MODEL_PATH"] = RepoPaths.Model,
            ["SEGMENT_SECONDS"] = "1",
            ["DETECT_FPS"] = "1",
            ["DETECTOR_THREADS"] = "1",
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) env[k] = v;
        var process = AppProcess.Start("serve", ["dotnet", EmbeddedBuild.Assembly, "serve", "--port", "0", "--data", data, "--media", media],
            Path.GetDirectoryName(data)!, env);
        var output = await Eventually.HoldsAsync(() => Task.FromResult(process.Output),
            o => ServingRegex().IsMatch(o) || process.HasExited, "serve to start", seconds: 90);
        if (process.HasExited)
        {
            await process.DisposeAsync();
            Assert.Fail("serve exited at start:\n" + output);
        }
        return new ServeProcess(process, new Uri(ServingRegex().Match(output).Groups[1].Value + "/"));
    }

    public async Task<HttpResponseMessage> AddAsync(object body) => await Http.PostAsJsonAsync("api/streams", body);

    public async Task<JsonElement> StatusAsync(string id)
    {
        using var response = await Http.GetAsync($"api/streams/{id}");
        Assert.True(response.IsSuccessStatusCode, $"GET api/streams/{id}: {(int)response.StatusCode}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task<string> TextAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : $"HTTP {(int)response.StatusCode}";
    }

    /// <summary>The sequences of the segments <c>index.m3u8</c> lists, in order, and the one after each EXT-X-DISCONTINUITY.</summary>
    public static (List<long> Sequences, List<long> AfterDiscontinuity) Segments(string playlist)
    {
        var sequences = new List<long>();
        var after = new List<long>();
        var discontinuity = false;
        foreach (var line in playlist.Split('\n'))
        {
            if (line == "#EXT-X-DISCONTINUITY") discontinuity = true;
            var m = SegmentRegex().Match(line);
            if (!m.Success) continue;
            var seq = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            sequences.Add(seq);
            if (discontinuity) after.Add(seq);
            discontinuity = false;
        }
        return (sequences, after);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }

    [GeneratedRegex(@"DaprVideo is serving on (http://[^ ]+) \(")]
    private static partial Regex ServingRegex();

    [GeneratedRegex(@"^segments/(\d{6})\.ts$")]
    private static partial Regex SegmentRegex();
}
