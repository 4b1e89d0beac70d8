using DaprVideo.Core.Video;

namespace DaprVideo.Tests.Core.Video;

/// <summary>What a source may show (API, logs, errors, stream records) and what stays for ffmpeg only.</summary>
public sealed class VideoSourceRedactionTests
{
    [Theory]
    [InlineData("rtsp://admin:pw-123@cam.test/s1", "rtsp://cam.test/s1", "pw-123")]
    [InlineData("rtsp://admin@cam.test/s1", "rtsp://cam.test/s1", "admin")]
    [InlineData("https://cdn.test/live.m3u8?token=abc123xyz", "https://cdn.test/live.m3u8?token=***", "abc123xyz")]
    [InlineData("https://cdn.test/live.m3u8?TOKEN=abc123xyz&q=1", "https://cdn.test/live.m3u8?TOKEN=***&q=1", "abc123xyz")]
    [InlineData("https://cdn.test/a.mp4?q=1&Password=hunter2x", "https://cdn.test/a.mp4?q=1&Password=***", "hunter2x")]
    [InlineData("https://cdn.test/a.mp4?auth=s3cr3tv", "https://cdn.test/a.mp4?auth=***", "s3cr3tv")]
    [InlineData("https://cdn.test/a.mp4?api_key=k3yk3y", "https://cdn.test/a.mp4?api_key=***", "k3yk3y")]
    [InlineData("https://b.s3.test/a.mp4?X-Amz-Credential=AKIAX%2F1&X-Amz-Signature=deadbeef", "https://b.s3.test/a.mp4?X-Amz-Credential=***&X-Amz-Signature=***", "deadbeef")]
    [InlineData("https://acct.blob.test/c/a.mp4?sv=2020&sig=Zm9vYmFy", "https://acct.blob.test/c/a.mp4?sv=2020&sig=***", "Zm9vYmFy")]
    [InlineData("rtsp://u:p4ss@cam.test:8554/live?channel=1&key=kkkk1", "rtsp://cam.test:8554/live?channel=1&key=***", "kkkk1")]
    public void Credentials_in_urls_are_shown_redacted_and_kept_for_ffmpeg(string text, string display, string secret)
    {
        var source = VideoSource.Parse(text);
        Assert.Equal(display, source.DisplayName);
        Assert.Equal(display, source.ToString());
        Assert.Contains(secret, Uri.UnescapeDataString(source.Location), StringComparison.Ordinal);
        Assert.True(source.HasSecrets);
    }

    [Theory]
    [InlineData("https://cdn.test/live.m3u8?quality=hd&t=10")]
    [InlineData("rtsp://cam.test/stream1")]
    [InlineData("https://cdn.test/keyframes/a.mp4?monkey=1")]
    public void Urls_without_credentials_are_shown_as_they_are(string text)
    {
        var source = VideoSource.Parse(text);
        Assert.Equal(source.Location, source.DisplayName);
        Assert.False(source.HasSecrets);
    }

    [Fact]
    public void A_local_file_is_shown_by_its_name_only()
    {
        var source = VideoSource.Parse("/srv/private/media/cams/lobby.mp4");
        Assert.Equal("lobby.mp4", source.DisplayName);
        Assert.Equal("/srv/private/media/cams/lobby.mp4", source.Location);
        Assert.Equal("ffmpeg failed on lobby.mp4: No such file",
            source.Redact("ffmpeg failed on /srv/private/media/cams/lobby.mp4: No such file"));
    }

    [Fact]
    public void Credentials_given_apart_go_into_the_location_only()
    {
        var source = VideoSource.Parse("rtsp://cam.test:8554/live?x=1").WithCredentials("view er", "p@ss:w/rd");
        Assert.Equal("rtsp://view%20er:p%40ss%3Aw%2Frd@cam.test:8554/live?x=1", source.Location);
        Assert.Equal("rtsp://cam.test:8554/live?x=1", source.DisplayName);
        Assert.True(source.HasUserInfo);
        var parsed = new Uri(source.Location);
        Assert.Equal("view er:p@ss:w/rd", Uri.UnescapeDataString(parsed.UserInfo.Split(':')[0]) + ":" + Uri.UnescapeDataString(parsed.UserInfo[(parsed.UserInfo.IndexOf(':', StringComparison.Ordinal) + 1)..]));
        Assert.Throws<ArgumentException>(() => VideoSource.Parse("rtsp://a:b@cam.test/x").WithCredentials("u", "p"));
        Assert.Throws<ArgumentException>(() => VideoSource.Parse("testsrc").WithCredentials("u", "p"));
        Assert.Equal("http://cam.test/a.ts", VideoSource.Parse("http://cam.test/a.ts").WithCredentials("u", "p").DisplayName);
        Assert.Equal("http://u:p@cam.test/a.ts", VideoSource.Parse("http://cam.test/a.ts").WithCredentials("u", "p").Location);
    }

    [Fact]
    public void Error_texts_lose_every_secret_of_the_source()
    {
        var source = VideoSource.Parse("rtsp://cam.test/live?token=t0k3n-value").WithCredentials("admin", "hunter2-pw");
        var ffmpeg = $"[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized: {source.Location} " +
                     "(user admin, password hunter2-pw, also rtsp://other:pw@x.test/ and https://y.test/?Signature=abc&ok=1)";
        var redacted = source.Redact(ffmpeg);
        Assert.DoesNotContain("hunter2-pw", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("t0k3n-value", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("other:pw", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("Signature=abc", redacted, StringComparison.Ordinal);
        Assert.Contains("rtsp://cam.test/live?token=***", redacted, StringComparison.Ordinal);
        Assert.Contains("ok=1", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusals_of_bad_urls_do_not_echo_their_credentials()
    {
        var e = Assert.Throws<ArgumentException>(() => VideoSource.Parse("rtsp://admin:hunter2@/nohost?token=zzz"));
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("zzz", e.Message, StringComparison.Ordinal);
    }
}
