namespace DaprVideo.Core.Events;

/// <summary>Topic names of DESIGN.md §3, shared by the in-process bus and Dapr pub/sub.</summary>
public static class Topics
{
    public const string Chunks = "chunks";
    public const string Segments = "segments";
    public const string Streams = "streams";
}
