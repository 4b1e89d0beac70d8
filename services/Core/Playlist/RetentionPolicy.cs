namespace DaprVideo.Core.Playlist;

/// <summary>
/// How long and how much of a stream is kept: <see cref="MaxAge"/> (a segment whose end is older goes) and
/// <see cref="MaxBytes"/> (the oldest segments go until the rest fit); either may be off (null).
/// The decision is pure: the same segments and the same clock reading give the same answer on every replica.
/// </summary>
public sealed record RetentionPolicy(TimeSpan? MaxAge, long? MaxBytes)
{
    /// <summary>Nothing is ever removed.</summary>
    public static readonly RetentionPolicy Off = new(null, null);

    public bool IsOff => MaxAge is null && MaxBytes is null;

    /// <summary>This policy with the stream's own limits in place of the defaults it sets.</summary>
    public RetentionPolicy For(Streams.StreamRetention? stream) =>
        stream is null ? this : new(stream.MaxAge ?? MaxAge, stream.MaxBytes ?? MaxBytes);

    /// <summary>
    /// How many of <paramref name="oldestFirst"/> to remove, counted from the oldest: every segment that ended
    /// at or before <paramref name="now"/> minus <see cref="MaxAge"/>, and as many more of the oldest as it takes
    /// for the rest to total at most <see cref="MaxBytes"/>. The byte limit never removes the newest segment (a
    /// playlist needs something to play); age removes everything past it, even the newest of a stream that ended long ago.
    /// </summary>
    public int Expired(IReadOnlyList<PlaylistSegment> oldestFirst, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(oldestFirst);
        var count = 0;
        if (MaxAge is { } age)
        {
            var horizon = now - age;
            while (count < oldestFirst.Count && oldestFirst[count].End <= horizon)
                count++;
        }
        if (MaxBytes is { } limit)
        {
            long total = 0;
            for (var i = count; i < oldestFirst.Count; i++)
                total += oldestFirst[i].Bytes;
            while (total > limit && count < oldestFirst.Count - 1)
                total -= oldestFirst[count++].Bytes;
        }
        return count;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for limits that are not positive.</summary>
    public RetentionPolicy Validate()
    {
        if (MaxAge is { } age && age <= TimeSpan.Zero)
            throw new ArgumentException($"Retention max age must be positive; got {age}.");
        if (MaxBytes is < 1)
            throw new ArgumentException($"Retention max bytes must be positive; got {MaxBytes}.");
        return this;
    }
}
