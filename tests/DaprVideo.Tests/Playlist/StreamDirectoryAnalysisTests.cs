using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Playlist;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.Playlist;

/// <summary>
/// The distributed Playlist's read-only GET /api/streams/{id}: how a stream is analysed comes from its segment records,
/// so a running stream analysed below DETECT_FPS is <c>degraded</c> there (Ingest does not see Inference).
/// </summary>
public sealed class StreamDirectoryAnalysisTests
{
    [Fact]
    public async Task A_running_stream_is_degraded_while_its_latest_segment_was_analysed_below_DETECT_FPS()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        var id = StreamId.Parse("cam");
        var start = DateTimeOffset.UtcNow;
        await store.PutAsync(ObjectKeys.StreamDescriptor(id), new StreamDescriptor("cam", "testsrc", StreamDescriptor.Running, null, true, false, true,
            1, 2, start, start, start).ToJsonBytes());
        Task PutRecordAsync(long sequence, double? analysed) => store.PutAsync(ObjectKeys.SegmentRecord(id, sequence),
            new SegmentRecord("cam", sequence, start.AddSeconds(sequence), 1, false, true, [], AnalysedFps: analysed, DetectFps: analysed is null ? null : 5).ToJsonBytes());
        await PutRecordAsync(0, null); // written before records said
        await PutRecordAsync(1, 2);

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IObjectStore>(store);
        builder.Services.AddPlaylist(new PlaylistSettings(new PlaylistBuilderOptions { Playlist = new PlaylistOptions { SegmentSeconds = 1 } },
            FreshnessInterval: TimeSpan.Zero));
        await using var app = builder.Build();
        app.MapPlaylist();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        var degraded = await http.GetFromJsonAsync<JsonElement>("/api/streams/cam");
        Assert.Equal("degraded", degraded.GetProperty("state").GetString());
        Assert.Equal(2, degraded.GetProperty("analysedFps").GetDouble());
        Assert.Equal(5, degraded.GetProperty("detectFps").GetDouble());
        var timeline = await http.GetFromJsonAsync<JsonElement>("/api/streams/cam/timeline");
        Assert.False(timeline[0].TryGetProperty("analysedFps", out _));
        Assert.Equal(2, timeline[1].GetProperty("analysedFps").GetDouble());

        await PutRecordAsync(2, 5);
        var recovered = await http.GetFromJsonAsync<JsonElement>("/api/streams/cam");
        Assert.Equal("running", recovered.GetProperty("state").GetString());
        Assert.Equal(5, recovered.GetProperty("analysedFps").GetDouble());
    }
}
