using System.Text.Json.Serialization;
using DaprVideo.Core.Events;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Search;
using DaprVideo.Core.Vision;

namespace DaprVideo.Core;

/// <summary>
/// Source-generated JSON for every document and event the pipeline writes, camelCase as in the README's examples.
/// One context so the stored records, the events and the HTTP API agree on one shape (and trim/AOT stay possible).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Vision.Detection))]
[JsonSerializable(typeof(IReadOnlyList<Vision.Detection>))]
[JsonSerializable(typeof(SegmentRecord))]
[JsonSerializable(typeof(DetectionLine))]
[JsonSerializable(typeof(IReadOnlyList<DetectionLine>))]
[JsonSerializable(typeof(SegmentSummary))]
[JsonSerializable(typeof(IReadOnlyList<SegmentSummary>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(ChunkCaptured))]
[JsonSerializable(typeof(SegmentAnnotated))]
[JsonSerializable(typeof(StreamEnded))]
[JsonSerializable(typeof(Pipeline.AnalysisLoad))]
[JsonSerializable(typeof(StreamPurged))]
[JsonSerializable(typeof(RetentionCut))]
[JsonSerializable(typeof(Streams.StreamDescriptor))]
[JsonSerializable(typeof(IReadOnlyList<Streams.StreamDescriptor>))]
[JsonSerializable(typeof(Tracking.TrackEvent))]
[JsonSerializable(typeof(IReadOnlyList<Tracking.TrackEvent>))]
[JsonSerializable(typeof(TrackEventChanged))]
[JsonSerializable(typeof(Tracking.TrackerState))]
[JsonSerializable(typeof(Tracking.StreamTracking))]
public sealed partial class CoreJsonContext : JsonSerializerContext;
