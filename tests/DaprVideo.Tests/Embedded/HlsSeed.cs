using DaprVideo.Core.Events;
using DaprVideo.Core.Pipeline;
using DaprVideo.Core.Playlist;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.Embedded;

/// <summary>
/// Puts a segment and its record into a serve host's store and announces it, as Inference does: HTTP tests get
/// playlists and segments without running the pipeline.
/// </summary>
internal static class HlsSeed
{
    public static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Stores <paramref name="bytes"/> (default: 40 TS-sized packets marked with the sequence) as segment <paramref name="sequence"/>.</summary>
    public static async Task<byte[]> SegmentAsync(ServeHost host, string stream, long sequence, byte[]? bytes = null)
    {
        var store = host.App.Services.GetRequiredService<IObjectStore>();
        var playlists = host.App.Services.GetRequiredService<PlaylistBuilder>();
        var id = StreamId.Parse(stream);
        bytes ??= Enumerable.Range(0, 188 * 40).Select(i => i % 188 == 0 ? (byte)0x47 : (byte)((i + sequence) % 251)).ToArray();
        var start = T0.AddSeconds(sequence);
        await store.PutAsync(ObjectKeys.Segment(id, sequence), bytes);
        await store.PutAsync(ObjectKeys.SegmentRecord(id, sequence), new SegmentRecord(stream, sequence, start, 1, false, true, []).ToJsonBytes());
        await playlists.OnSegmentAsync(new SegmentAnnotated(stream, sequence, ObjectKeys.Segment(id, sequence), ObjectKeys.SegmentRecord(id, sequence),
            start, 1, false, true));
        return bytes;
    }
}
