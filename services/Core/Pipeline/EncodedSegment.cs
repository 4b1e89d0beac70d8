using DaprVideo.Core.Playlist;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// The result of annotating one chunk: the encoded segment and what was seen in it (the pipeline
/// result; the event announcing it is <c>SegmentAnnotated</c>).
/// </summary>
/// <param name="Annotated">False when the detector was unavailable for any analysed frame.</param>
public sealed record EncodedSegment(byte[] Segment, double DurationSeconds, int FrameCount, bool Annotated, IReadOnlyList<AnalysedFrame> Frames);
