using System.Text;
using System.Text.Json;
using DaprVideo.Core;
using DaprVideo.Core.Events;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Search;
using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Playlist;

public class PlaylistJsonTests
{
    private static readonly Detection Person = new("person", 1, 0.87f, new BoundingBox(0.1f, 0.2f, 0.3f, 0.5f));

    [Fact]
    public void Detection_serialises_to_the_contract_shape()
    {
        var json = JsonSerializer.Serialize(Person, CoreJsonContext.Default.Detection);

        Assert.Equal("""{"label":"person","classId":1,"score":0.87,"box":{"x":0.1,"y":0.2,"w":0.3,"h":0.5}}""", json);
        Assert.Equal(Person, JsonSerializer.Deserialize(json, CoreJsonContext.Default.Detection));
    }

    [Fact]
    public void Detection_line_serialises_to_the_jsonl_shape()
    {
        var line = new DetectionLine(7, 21.5, [Person]);

        var json = JsonSerializer.Serialize(line, CoreJsonContext.Default.DetectionLine);

        Assert.Equal("""{"segment":7,"t":21.5,"detections":[{"label":"person","classId":1,"score":0.87,"box":{"x":0.1,"y":0.2,"w":0.3,"h":0.5}}]}""", json);
        var back = JsonSerializer.Deserialize(json, CoreJsonContext.Default.DetectionLine)!;
        Assert.Equal((7L, 21.5), (back.Sequence, back.T));
        Assert.Equal([Person], back.Detections);
    }

    [Fact]
    public void Segment_summary_serialises_its_sequence_as_segment()
    {
        var summary = new SegmentSummary(3, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), 2.5, true, [new LabelSummary("person", 2, 0.5f)]);

        var json = JsonSerializer.Serialize(summary, CoreJsonContext.Default.SegmentSummary);

        using var document = JsonDocument.Parse(json);
        Assert.Equal(["segment", "start", "duration", "annotated", "labels"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, document.RootElement.GetProperty("segment").GetInt64());
        Assert.Equal(summary.Sequence, JsonSerializer.Deserialize(json, CoreJsonContext.Default.SegmentSummary)!.Sequence);
    }

    [Fact]
    public void Segment_record_round_trips_with_the_documented_field_names()
    {
        var record = new SegmentRecord(
            "cam-1", 12, new DateTimeOffset(2024, 5, 1, 12, 0, 36, 250, TimeSpan.Zero), 3.003, Discontinuity: true, Annotated: true,
            [
                new AnalysedFrame(36.25, [Person, Person with { Label = "dog", ClassId = 18, Score = 0.5f }]),
                new AnalysedFrame(36.75, []),
            ]);

        var bytes = record.ToJsonBytes();
        var json = Encoding.UTF8.GetString(bytes);
        var back = SegmentRecord.Parse(bytes);

        Assert.StartsWith("""{"streamId":"cam-1","sequence":12,"start":"2024-05-01T12:00:36.25+00:00","duration":3.003,"discontinuity":true,"annotated":true,"frames":[{"t":36.25,"detections":[{"label":"person",""", json);
        Assert.Equal(record with { Frames = [] }, back with { Frames = [] });
        Assert.Equal(record.Frames.Count, back.Frames.Count);
        for (var i = 0; i < record.Frames.Count; i++)
        {
            Assert.Equal(record.Frames[i].T, back.Frames[i].T);
            Assert.Equal(record.Frames[i].Detections, back.Frames[i].Detections);
        }
        Assert.Equal(bytes, back.ToJsonBytes());
    }

    [Fact]
    public void Segment_records_carry_the_analysed_rate_and_read_records_written_before_it()
    {
        var record = new SegmentRecord("cam", 4, new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero), 3, false, true, [], AnalysedFps: 2.45, DetectFps: 5);

        var json = Encoding.UTF8.GetString(record.ToJsonBytes());
        Assert.EndsWith(""","frames":[],"bytes":null,"analysedFps":2.45,"detectFps":5}""", json);
        var back = SegmentRecord.Parse(record.ToJsonBytes());
        Assert.Equal((2.45, 5.0), (back.AnalysedFps, back.DetectFps));
        Assert.True(back.Degraded);

        var old = SegmentRecord.Parse("""{"streamId":"cam","sequence":1,"start":"2024-05-01T12:00:00Z","duration":3,"discontinuity":false,"annotated":true,"frames":[]}"""u8);
        Assert.Null(old.AnalysedFps);
        Assert.False(old.Degraded);
        Assert.DoesNotContain("analysedFps", Encoding.UTF8.GetString(old.ToJsonBytes()), StringComparison.Ordinal);

        var annotated = new SegmentAnnotated("cam", 4, "k", "r", record.Start, 3, false, true, AnalysedFps: 2.45);
        Assert.Equal(annotated, JsonSerializer.Deserialize(JsonSerializer.Serialize(annotated, CoreJsonContext.Default.SegmentAnnotated), CoreJsonContext.Default.SegmentAnnotated));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("null", "JSON null")]
    [InlineData("""{"streamId":"../etc","sequence":1,"start":"2024-05-01T12:00:00Z","duration":3,"frames":[]}""", "invalid stream id")]
    [InlineData("""{"streamId":"cam","sequence":-1,"start":"2024-05-01T12:00:00Z","duration":3,"frames":[]}""", "negative sequence")]
    [InlineData("""{"streamId":"cam","sequence":1,"start":"2024-05-01T12:00:00Z","duration":0,"frames":[]}""", "positive number")]
    [InlineData("""{"streamId":"cam","sequence":1,"start":"2024-05-01T12:00:00Z","duration":3}""", "no frames")]
    [InlineData("""{"streamId":"cam","sequence":1,"start":"2024-05-01T12:00:00Z","duration":3,"frames":[{"t":-1,"detections":[]}]}""", "invalid time")]
    [InlineData("""{"streamId":"cam","sequence":1,"start":"2024-05-01T12:00:00Z","duration":3,"frames":[{"t":1}]}""", "invalid detections")]
    [InlineData("""{"streamId":"cam","sequence":1,"start":"2024-05-01T12:00:00Z","duration":3,"frames":[],"analysedFps":0}""", "analysedFps")]
    public void Bad_segment_records_fail_with_one_clear_line(string json, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => SegmentRecord.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Events_round_trip()
    {
        var start = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var chunk = new ChunkCaptured("cam", 3, "streams/cam/chunks/000003.ts", start, 9.0, 3.0, false);
        var segment = new SegmentAnnotated("cam", 3, "streams/cam/segments/000003.ts", "streams/cam/segments/000003.json", start, 3.0, true, false);
        var ended = new StreamEnded("cam", 41);

        Assert.Equal(chunk, JsonSerializer.Deserialize(JsonSerializer.Serialize(chunk, CoreJsonContext.Default.ChunkCaptured), CoreJsonContext.Default.ChunkCaptured));
        Assert.Equal(segment, JsonSerializer.Deserialize(JsonSerializer.Serialize(segment, CoreJsonContext.Default.SegmentAnnotated), CoreJsonContext.Default.SegmentAnnotated));
        Assert.Equal("""{"streamId":"cam","lastSequence":41}""", JsonSerializer.Serialize(ended, CoreJsonContext.Default.StreamEnded));
    }
}
