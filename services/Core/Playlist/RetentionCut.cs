using System.Text.Json;
using DaprVideo.Core.Streams;

namespace DaprVideo.Core.Playlist;

/// <summary>
/// Retention removed every segment up to and including <see cref="Through"/>. <see cref="MediaSequence"/> and
/// <see cref="DiscontinuitySequence"/> are the numbers the first segment after it carries (RFC 8216 §6.2.2: removing
/// segments advances EXT-X-MEDIA-SEQUENCE by their count and EXT-X-DISCONTINUITY-SEQUENCE by the tags removed with
/// them). Stored at <see cref="ObjectKeys.RetentionCut"/> before anything is deleted: immutable, one key per cut,
/// the same bytes from whichever replica writes it, so a replica that never saw the removed segments (restarted,
/// or handed none of their events) still numbers the rest as the others do.
/// </summary>
public sealed record RetentionCut(long Through, long MediaSequence, long DiscontinuitySequence)
{
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, CoreJsonContext.Default.RetentionCut);

    /// <summary>Reads a stored cut; bad content throws <see cref="InvalidDataException"/> saying why.</summary>
    public static RetentionCut Parse(ReadOnlySpan<byte> json)
    {
        RetentionCut? cut;
        try
        {
            cut = JsonSerializer.Deserialize(json, CoreJsonContext.Default.RetentionCut);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Retention cut is not valid JSON: {e.Message}", e);
        }
        if (cut is null || cut.Through < 0 || cut.MediaSequence < 0 || cut.DiscontinuitySequence < 0)
            throw new InvalidDataException("Retention cut has a missing or negative number.");
        return cut;
    }
}
