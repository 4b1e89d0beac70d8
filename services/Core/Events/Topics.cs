namespace DaprVideo.Core.Events;

/// <summary>Topic names, shared by the in-process bus and Dapr pub/sub (who publishes and subscribes which: docs/distributed.md).</summary>
public static class Topics
{
    public const string Chunks = "chunks";
    public const string Segments = "segments";
    public const string Streams = "streams";

    /// <summary><c>StreamPurged</c>: its own topic, so the <c>streams</c> subscription keeps reading one event type.</summary>
    public const string Purges = "purges";

    /// <summary><c>TrackEventChanged</c>: an event (one tracked object) started, changed or ended.</summary>
    public const string Events = "events";
}
