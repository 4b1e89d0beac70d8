using System.Net;
using DaprVideo.Core.Streams;
using DaprVideo.Embedded;
using DaprVideo.Embedded.Adapters;
using DaprVideo.Ingest;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// <c>serve</c> composes the Ingest module as the Dapr host does, resume included: a stream its data folder still
/// records as running (the last process was killed before it could end it) is captured again at start.
/// </summary>
public sealed class ServeResumeTests
{
    [Fact]
    public async Task A_stream_left_running_in_the_data_folder_is_resumed_at_start()
    {
        var id = StreamId.Parse("left-running");
        var now = DateTimeOffset.UtcNow;
        await using var host = await ServeHost.StartAsync(prepareData: data =>
            new StreamRegistry(new FileObjectStore(data, EmbeddedPipeline.StreamsPrefix)).SaveAsync(new StreamDescriptor(
                id.Value, "testsrc:size=160x120:rate=10", StreamDescriptor.Running, Error: null, Live: true, SimulateLive: false,
                Resumable: true, LastSequence: -1, DurationSeconds: 0, StartedAt: now, FirstChunkStart: null, UpdatedAt: now)));

        await Eventually.HoldsAsync(async () =>
        {
            using var response = await host.Http.GetAsync($"/streams/{id}/live.m3u8");
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : response.StatusCode.ToString();
        }, p => p.Contains("#EXTINF", StringComparison.Ordinal), "segments of the resumed stream", seconds: 120);
        using (var status = await host.Http.GetAsync($"/api/streams/{id}"))
            Assert.Contains("\"state\":\"running\"", await status.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var stopped = await host.Http.DeleteAsync($"/api/streams/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, stopped.StatusCode);
    }
}
