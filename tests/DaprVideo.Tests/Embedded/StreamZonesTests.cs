using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprVideo.Core.Streams;

namespace DaprVideo.Tests.Embedded;

/// <summary>The <c>"zones"</c> of <c>POST /api/streams</c> on the real serve host: kept in the descriptor, refused when unsound.</summary>
[Trait("Speed", "Slow")]
public class StreamZonesTests
{
    [Fact]
    public async Task Zones_are_kept_in_the_stream_descriptor()
    {
        await using var host = await ServeHost.StartAsync();
        var body = new
        {
            id = "yard",
            source = "testsrc:size=160x120",
            zones = new object[] { new { name = "door", points = new[] { new[] { 0.1, 0.5 }, new[] { 0.4, 0.5 }, new[] { 0.4, 1.0 } } } },
        };
        Assert.Equal(HttpStatusCode.Created, (await host.Http.PostAsJsonAsync("/api/streams", body)).StatusCode);
        var descriptor = StreamDescriptor.Parse(await File.ReadAllBytesAsync(Path.Combine(host.Data, "yard", "stream.json")));
        var zone = Assert.Single(descriptor.Zones!);
        Assert.Equal("door", zone.Name);
        Assert.Equal([0.4, 1.0], zone.Points[2]);
        Assert.True(zone.Contains(0.38, 0.9));
        Assert.False(zone.Contains(0.3, 0.4));
        using var status = JsonDocument.Parse(await host.Http.GetStringAsync("/api/streams/yard"));
        Assert.Equal("door", status.RootElement.GetProperty("zones")[0].GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync("/api/streams/yard")).StatusCode);
    }

    [Theory]
    [InlineData("[{\"name\":\"Door\",\"points\":[[0,0],[1,0],[1,1]]}]", "Zone name 'Door'")]
    [InlineData("[{\"name\":\"door\",\"points\":[[0,0],[1,0]]}]", "needs 3 to 64 points")]
    [InlineData("[{\"name\":\"door\",\"points\":[[0,0],[1.5,0],[1,1]]}]", "both in 0..1")]
    [InlineData("[{\"name\":\"door\",\"points\":[[0,0],[1,0,3],[1,1]]}]", "both in 0..1")]
    [InlineData("[{\"name\":\"a\",\"points\":[[0,0],[1,0],[1,1]]},{\"name\":\"a\",\"points\":[[0,0],[1,0],[1,1]]}]", "given twice")]
    public async Task Unsound_zones_are_a_400_with_one_line_and_nothing_starts(string zones, string detail)
    {
        await using var host = await ServeHost.StartAsync();
        using var content = new StringContent($"{{\"id\":\"yard\",\"source\":\"testsrc\",\"zones\":{zones}}}", System.Text.Encoding.UTF8, "application/json");
        var response = await host.Http.PostAsync("/api/streams", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var text = json.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(detail, text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/api/streams/yard")).StatusCode);
    }
}
