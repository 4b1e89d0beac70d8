using DaprVideo.Core.Vision;

namespace DaprVideo.Core.Playlist;

/// <summary>One frame the detector looked at: <see cref="T"/> seconds from the stream's start, and what it found.</summary>
public sealed record AnalysedFrame(double T, IReadOnlyList<Vision.Detection> Detections);
