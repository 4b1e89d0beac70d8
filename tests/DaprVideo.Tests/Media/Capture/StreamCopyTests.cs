using DaprVideo.Core.Video;
using DaprVideo.Media.Capture;
using DaprVideo.Media.Probing;

namespace DaprVideo.Tests.Media.Capture;

public sealed class StreamCopyTests
{
    private static VideoInfo Source(string codec, double? keyframeGap, bool openGop = false, int fps = 30) =>
        new(codec, new VideoFormat(1920, 1080, new FrameRate(fps, 1)), null, 0, 7, keyframeGap, 210, openGop);

    [Theory]
    [InlineData("hevc", 4.0, 3, true)] // the camera: 4 s GOP, 3 s segments -> 4 s chunks
    [InlineData("h264", 6.0, 3, true)]
    [InlineData("h264", 6.1, 3, false)]
    [InlineData("mpeg4", 2.0, 3, true)]
    [InlineData("mpeg2video", 1.0, 1, true)]
    [InlineData("mpeg1video", 3.0, 1, true)] // the 3 s floor at short segments
    [InlineData("h264", 3.5, 1, false)]
    [InlineData("h264", 20.0, 10, true)]
    [InlineData("mjpeg", 0.04, 3, false)] // no MPEG-TS stream type ffmpeg reads back
    [InlineData("vp9", 1.0, 3, false)]
    [InlineData("rawvideo", 0.04, 3, false)]
    public void Copies_codecs_chunks_carry_with_keyframes_within_the_bound(string codec, double gap, double segment, bool copied) =>
        Assert.Equal(copied, StreamCopy.Suits(Source(codec, gap), segment));

    [Fact]
    public void Open_gops_and_unknown_keyframe_spacing_are_encoded()
    {
        Assert.False(StreamCopy.Suits(Source("hevc", 1.0, openGop: true), 3));
        Assert.False(StreamCopy.Suits(Source("h264", null), 3));
        Assert.False(StreamCopy.Suits(Source("h264", double.PositiveInfinity), 3));
    }

    [Fact]
    public void A_rotated_source_is_encoded()
    {
        Assert.False(StreamCopy.Suits(Source("h264", 1.0) with { Rotation = 90 }, 3));
        Assert.False(StreamCopy.Suits(Source("hevc", 1.0) with { Rotation = 180 }, 3));
        Assert.True(StreamCopy.Suits(Source("h264", 1.0) with { Rotation = 0 }, 3));
    }

    [Fact]
    public void Half_a_frame_of_slack_absorbs_timestamp_rounding()
    {
        Assert.True(StreamCopy.Suits(Source("h264", 6.0 + 0.4 / 30), 3));
        Assert.False(StreamCopy.Suits(Source("h264", 6.0 + 0.6 / 30), 3));
    }

    [Fact]
    public void A_looped_file_is_copied_only_when_its_codec_needs_no_bitstream_filter()
    {
        Assert.True(StreamCopy.Suits(Source("h264", 1.0), 3, loops: true));
        Assert.False(StreamCopy.Suits(Source("mpeg4", 2.0), 3, loops: true));
        Assert.False(StreamCopy.Suits(Source("mpeg2video", 1.0), 3, loops: true));
    }

    [Fact]
    public void Only_mpeg_part_2_and_mpeg_1_2_need_bitstream_filters()
    {
        Assert.Equal("mpeg4_unpack_bframes,dump_extra=freq=keyframe", StreamCopy.BitstreamFilters("mpeg4"));
        Assert.Equal("dump_extra=freq=keyframe", StreamCopy.BitstreamFilters("mpeg2video"));
        Assert.Null(StreamCopy.BitstreamFilters("h264"));
        Assert.Null(StreamCopy.BitstreamFilters("hevc"));
    }
}
