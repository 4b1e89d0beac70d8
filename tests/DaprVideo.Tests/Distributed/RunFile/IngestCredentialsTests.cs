using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.S3.Model;
using DaprVideo.Core.Streams;
using DaprVideo.Ingest;
using DaprVideo.Tests.Infrastructure;

namespace DaprVideo.Tests.Distributed.RunFile;

/// <summary>
/// Camera credentials in distributed mode, through the committed components (secret store local.file, multiValued, the
/// Configuration's secret scopes) and real Ingest processes: a stream whose credentials are a secret reference records
/// only the name and survives an Ingest restart; inline credentials run for the session, say so, and fail clearly after
/// the restart; a denied or missing secret is refused at once.
/// </summary>
[Collection(CephRgwCollectionDefinition.Name)]
[Trait("Speed", "Slow")]
public sealed class IngestCredentialsTests(CephRgwFixture ceph, RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    // components/secrets.json.template's camera, as RepoLayoutCopy fills it in.
    private const string User = "test-camera-lobby-username";
    private const string Password = "test-camera-lobby-password";

    [Fact]
    public async Task A_secret_reference_survives_an_Ingest_restart_and_inline_credentials_fail_clearly()
    {
        await using var run = await DaprRunEmulation.CreateAsync(ceph, redis.Host, kafka: null);
        foreach (var (k, v) in DaprRunTests.FastSegments) run.ExtraEnvironment[k] = v;
        run.ExtraEnvironment["MEDIA_DIRS"] = run.MediaDirectory;
        run.ExtraEnvironment["INGEST_SCRATCH_DIR"] = Path.Combine(run.Scratch, "ingest");
        run.ExtraEnvironment["SHUTDOWN_TIMEOUT"] = "10";
        var ts = Path.Combine(run.Scratch, "camera.ts");
        MediaClips.Ffmpeg("-f", "lavfi", "-i", "testsrc=duration=120:size=160x120:rate=10", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10",
            "-pix_fmt", "yuv420p", "-f", "mpegts", ts);
        await using var camera = new AuthenticatedStreamServer(File.ReadAllBytes(ts), 120, User, Password, speed: 2);
        await using var other = new AuthenticatedStreamServer(File.ReadAllBytes(ts), 120, "inline-user", "inline-pw-42", speed: 2);

        var ingest = await run.StartAsync("ingest");
        using (var created = await ingest.Http.PostAsJsonAsync("api/streams", new { id = "lobby", source = camera.Url("/live.ts"), credentials = new { secret = "camera-lobby" } }))
        {
            var body = await created.Content.ReadAsStringAsync();
            Assert.True(created.StatusCode == HttpStatusCode.Created, body + "\n" + run.Logs());
            var credentials = JsonDocument.Parse(body).RootElement.GetProperty("credentials");
            Assert.Equal("camera-lobby", credentials.GetProperty("secret").GetString());
            Assert.True(credentials.GetProperty("survivesRestart").GetBoolean());
        }
        await AssertRefusedAsync(ingest, "s3-secret-key", "access denied by policy"); // the components' own secrets are not the API's
        await AssertRefusedAsync(ingest, "no-such-camera", "secret no-such-camera not found");
        using (var inline = await ingest.Http.PostAsJsonAsync("api/streams", new { id = "inline", source = other.Url("/live.ts"), credentials = new { username = "inline-user", password = "inline-pw-42" } }))
        {
            var body = await inline.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Created, inline.StatusCode);
            var credentials = JsonDocument.Parse(body).RootElement.GetProperty("credentials");
            Assert.False(credentials.GetProperty("survivesRestart").GetBoolean());
            Assert.Contains("credentials.secret", credentials.GetProperty("warning").GetString(), StringComparison.Ordinal);
        }
        await Eventually.HoldsAsync(async () => JsonDocument.Parse(await ingest.Http.GetStringAsync("api/streams/lobby")).RootElement.GetProperty("segments").GetInt64(),
            n => n >= 2, "two chunks of the camera", 120);

        var record = await RecordAsync(run, "lobby");
        Assert.Contains("\"secret\":\"camera-lobby\"", record, StringComparison.Ordinal);
        foreach (var secret in new[] { User, Password, "inline-pw-42" })
        {
            Assert.DoesNotContain(secret, record, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, await RecordAsync(run, "inline"), StringComparison.Ordinal);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var exit = await run.StopAppFirstAsync(ingest, TimeSpan.FromSeconds(20));
        Console.WriteLine($"distributed ingest SIGTERM with 2 live captures: exit {exit} after {clock.Elapsed.TotalSeconds:F2} s");
        Assert.True(exit == 0, $"ingest exit {exit}:\n{ingest.Process.Output}");
        Assert.DoesNotContain(Password, ingest.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("inline-pw-42", ingest.Process.Output, StringComparison.Ordinal);
        Assert.Equal(StreamDescriptor.Running, StreamDescriptor.Parse(Encoding.UTF8.GetBytes(await RecordAsync(run, "lobby"))).State);

        var restarted = DateTimeOffset.UtcNow;
        var again = await run.StartAsync("ingest");
        await Eventually.HoldsAsync(() => Task.FromResult(camera.Requests.Count(r => r.Accepted && r.At > restarted)), n => n > 0,
            "the resumed capture to read the camera with the secret's credentials", 60);
        var lobby = await Eventually.HoldsAsync(() => again.Http.GetStringAsync("api/streams/lobby"), s => s.Contains("\"state\":\"running\"", StringComparison.Ordinal), "lobby running", 30);
        Assert.Contains("camera-lobby", lobby, StringComparison.Ordinal);
        var inlineAfter = await Eventually.HoldsAsync(() => again.Http.GetStringAsync("api/streams/inline"), s => s.Contains("\"state\":\"failed\"", StringComparison.Ordinal), "inline failed", 30);
        Assert.Contains(StreamCredentials.NotResumableError, JsonDocument.Parse(inlineAfter).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, again.Process.Output, StringComparison.Ordinal);
    }

    private static async Task AssertRefusedAsync(RunningApp ingest, string secret, string reason)
    {
        using var response = await ingest.Http.PostAsJsonAsync("api/streams", new { id = "refused", source = "rtsp://cam.test/s", credentials = new { secret } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Contains(reason, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> RecordAsync(DaprRunEmulation run, string id)
    {
        using var s3 = ceph.CreateS3Client();
        using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = run.Bucket, Key = ObjectKeys.StreamDescriptor(StreamId.Parse(id)) });
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }
}
