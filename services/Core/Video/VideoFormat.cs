namespace DaprVideo.Core.Video;

/// <summary>Picture size and rate of a video stream; what a decoder produces and an encoder consumes.</summary>
public readonly record struct VideoFormat(int Width, int Height, FrameRate FrameRate)
{
    /// <summary>Largest side we accept, so hostile headers cannot make us allocate gigabytes.</summary>
    public const int MaxSide = 8192;

    public void Validate()
    {
        if (Width <= 0 || Height <= 0 || Width > MaxSide || Height > MaxSide)
            throw new MediaException($"Video size {Width}x{Height} is outside 1..{MaxSide} pixels.");
        if (FrameRate.Numerator <= 0)
            throw new MediaException("Video frame rate is unknown.");
    }
}
