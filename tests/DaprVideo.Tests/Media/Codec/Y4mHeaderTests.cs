using DaprVideo.Core.Video;
using DaprVideo.Media.Ffmpeg;

namespace DaprVideo.Tests.Media.Codec;

public sealed class Y4mHeaderTests
{
    [Theory]
    [InlineData("YUV4MPEG2 W1280 H720 F25:1 Ip A1:1 C420mpeg2 XYSCSS=420MPEG2", 1280, 720, 25, 1)]
    [InlineData("YUV4MPEG2 W320 H240 F30000:1001 It A0:0 C420jpeg XYSCSS=420JPEG", 320, 240, 30000, 1001)]
    [InlineData("YUV4MPEG2 W2 H2 F5:1", 2, 2, 5, 1)]
    public void Reads_size_and_rate(string line, int width, int height, int num, int den)
    {
        var format = Y4mHeader.Parse(line);
        Assert.Equal(new VideoFormat(width, height, new FrameRate(num, den)), format);
    }

    [Theory]
    [InlineData("")]
    [InlineData("YUV4MPEG W320 H240 F25:1")]
    [InlineData("YUV4MPEG2 W320 H240")]
    [InlineData("YUV4MPEG2 W320 H240 F0:0")]
    [InlineData("YUV4MPEG2 W320 H240 F25:1 C420p10")]
    [InlineData("YUV4MPEG2 W320 H240 F25:1 C444")]
    [InlineData("YUV4MPEG2 W99999 H240 F25:1")]
    [InlineData("YUV4MPEG2 W-3 H240 F25:1")]
    public void Refuses_what_is_not_8_bit_420_of_sane_size(string line)
    {
        var e = Assert.Throws<MediaException>(() => Y4mHeader.Parse(line));
        Assert.DoesNotContain('\n', e.Message);
    }
}
