using DaprVideo.Core.Video;
using DaprVideo.Media.Ffmpeg;

namespace DaprVideo.Tests.Core.Video;

public sealed class VideoSourceTests
{
    [Theory]
    [InlineData("/videos/cam1.mp4", VideoSourceKind.File, "/videos/cam1.mp4")]
    [InlineData("/videos/../videos/./a b.mkv", VideoSourceKind.File, "/videos/a b.mkv")]
    [InlineData("https://example.test/live/index.m3u8", VideoSourceKind.Http, "https://example.test/live/index.m3u8")]
    [InlineData("HTTP://Example.test/a.mp4", VideoSourceKind.Http, "http://example.test/a.mp4")]
    [InlineData("rtsp://10.0.0.5:554/stream1", VideoSourceKind.Rtsp, "rtsp://10.0.0.5:554/stream1")]
    [InlineData("rtsps://cam.test/s", VideoSourceKind.Rtsp, "rtsps://cam.test/s")]
    [InlineData("testsrc", VideoSourceKind.TestPattern, "testsrc:size=640x360:rate=25")]
    [InlineData("testsrc:duration=10", VideoSourceKind.TestPattern, "testsrc:duration=10:size=640x360:rate=25")]
    [InlineData("testsrc:rate=10:size=320x240:duration=2.5", VideoSourceKind.TestPattern, "testsrc:duration=2.5:size=320x240:rate=10")]
    public void Parses_allowed_sources(string text, VideoSourceKind kind, string location)
    {
        var source = VideoSource.Parse(text);
        Assert.Equal(kind, source.Kind);
        Assert.Equal(location, source.Location);
    }

    [Theory]
    [InlineData("concat:/a.ts|/b.ts", "scheme 'concat:' is not allowed")]
    [InlineData("subfile:,start,0,end,100,:/etc/passwd", "scheme 'subfile:' is not allowed")]
    [InlineData("data:video/mp4;base64,AAAA", "scheme 'data:' is not allowed")]
    [InlineData("file:/etc/passwd", "scheme 'file:' is not allowed")]
    [InlineData("ftp://host/a.mp4", "scheme 'ftp:' is not allowed")]
    [InlineData("pipe:0", "scheme 'pipe:' is not allowed")]
    [InlineData("videos/a.mp4", "neither an absolute path")]
    [InlineData("-i", "neither an absolute path")]
    [InlineData("/videos/a\0.mp4", "control characters")]
    [InlineData("/videos/a\n.mp4", "control characters")]
    [InlineData("", "empty")]
    [InlineData("/videos/", "does not name a file")]
    [InlineData("http:///nohost", "not a valid absolute URL")]
    [InlineData("testsrc:duration=0", "out of range")]
    [InlineData("testsrc:size=99999x2", "out of range")]
    [InlineData("testsrc:filename=/etc/passwd", "options look like")]
    [InlineData("testsrc:color=red", "not supported")]
    [InlineData("testsrc,movie=/etc/passwd", "neither an absolute path")]
    [InlineData("testsrc:duration=1:duration=2", "given twice")]
    public void Refuses_other_sources_with_a_clear_message(string text, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => VideoSource.Parse(text));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Credentials_are_kept_for_ffmpeg_but_redacted_for_display()
    {
        var source = VideoSource.Parse("rtsp://admin:secret@cam.test/s1");
        Assert.Contains("admin:secret@", source.Location, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", source.DisplayName, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", source.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_kind_runs_with_an_explicit_protocol_whitelist()
    {
        static string Whitelist(string text)
        {
            var args = FfmpegInput.Arguments(VideoSource.Parse(text), realTime: false);
            return args[args.ToList().IndexOf("-protocol_whitelist") + 1];
        }

        Assert.Equal("file", Whitelist("/v/a.mp4"));
        Assert.Equal("http,https,tcp,tls,crypto", Whitelist("https://h.test/a.m3u8"));
        Assert.Equal("rtsp,rtsps,rtp,srtp,udp,tcp,tls", Whitelist("rtsp://h.test/a"));
        Assert.Equal(["-protocol_whitelist", "file", "-i", "file:/v/a:b.mp4"], FfmpegInput.Arguments(VideoSource.Parse("/v/a:b.mp4"), false));
        Assert.Equal(["-re", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25"], FfmpegInput.Arguments(VideoSource.Parse("testsrc"), false));
    }
}
