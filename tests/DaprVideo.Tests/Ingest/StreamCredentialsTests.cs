using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;
using DaprVideo.Ingest;

namespace DaprVideo.Tests.Ingest;

/// <summary>How a request's credentials become what ffmpeg opens, what a stream record may say, and what a restart gets back.</summary>
public sealed class StreamCredentialsTests
{
    private static readonly StreamId Cam = StreamId.Parse("cam1");

    [Fact]
    public async Task A_secret_reference_is_read_now_and_only_its_name_is_recorded()
    {
        var secrets = new Secrets { ["cam1-creds"] = new Dictionary<string, string> { ["username"] = "viewer", ["password"] = "pw:9/x" } };
        var credentials = new StreamCredentials(secrets);
        var source = await credentials.ApplyAsync(VideoSource.Parse("rtsp://cam1.local/stream"), new CredentialsRequest(Secret: "cam1-creds"));

        Assert.Equal("rtsp://viewer:pw%3A9%2Fx@cam1.local/stream", source.Effective.Location);
        Assert.Equal("rtsp://cam1.local/stream", source.Effective.DisplayName);
        var recorded = await credentials.KeepAsync(Cam, source);
        Assert.Equal(new SourceCredentials("cam1-creds"), recorded);

        var descriptor = Descriptor("rtsp://cam1.local/stream") with { Credentials = recorded };
        var json = System.Text.Encoding.UTF8.GetString(descriptor.ToJsonBytes());
        Assert.DoesNotContain("pw:9", json, StringComparison.Ordinal);
        Assert.DoesNotContain("pw%3A9", json, StringComparison.Ordinal);
        Assert.DoesNotContain("viewer", json, StringComparison.Ordinal);
        Assert.Contains("\"secret\":\"cam1-creds\"", json, StringComparison.Ordinal);
        var resumed = await credentials.ResumeAsync(descriptor);
        Assert.Equal(source.Effective.Location, resumed.Location);
    }

    [Theory]
    [InlineData("missing", "could not be read")]
    [InlineData("only-password", "must have the keys 'username' (not empty) and 'password'; it has: password")]
    public async Task A_secret_that_is_not_there_or_lacks_the_keys_is_a_bad_request(string name, string message)
    {
        var secrets = new Secrets { ["only-password"] = new Dictionary<string, string> { ["password"] = "x" } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            new StreamCredentials(secrets).ApplyAsync(VideoSource.Parse("rtsp://cam.test/s"), new CredentialsRequest(Secret: name)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\"x\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_secret_store_is_transient_not_a_bad_request()
    {
        var secrets = new Secrets { Down = true };
        var e = await Assert.ThrowsAsync<SecretStoreException>(() =>
            new StreamCredentials(secrets).ApplyAsync(VideoSource.Parse("rtsp://cam.test/s"), new CredentialsRequest(Secret: "cam")));
        Assert.True(e.Transient);
    }

    [Theory]
    [InlineData("rtsp://cam.test/s", "u", null, "both")]
    [InlineData("rtsp://a:b@cam.test/s", "u", "p", "once")]
    [InlineData("testsrc", "u", "p", "http(s) and rtsp(s)")]
    public async Task Inline_credentials_must_be_whole_given_once_and_for_a_network_source(string text, string? user, string? password, string message)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            new StreamCredentials().ApplyAsync(VideoSource.Parse(text), new CredentialsRequest(user, password)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_reference_needs_a_secret_store()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            new StreamCredentials(kept: new Kept()).ApplyAsync(VideoSource.Parse("rtsp://cam.test/s"), new CredentialsRequest(Secret: "cam")));
        Assert.Contains("needs a Dapr secret store", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inline_credentials_are_kept_where_the_host_keeps_them_and_forgotten_with_the_stream()
    {
        var kept = new Kept();
        var credentials = new StreamCredentials(kept: kept);
        var source = await credentials.ApplyAsync(VideoSource.Parse("https://cdn.test/a.m3u8?token=tkn1"), new CredentialsRequest("u", "p4ss"));
        var recorded = await credentials.KeepAsync(Cam, source);

        Assert.Equal(new SourceCredentials(Kept: true), recorded);
        Assert.Equal("https://u:p4ss@cdn.test/a.m3u8?token=tkn1", kept.Entries[Cam]);
        var resumed = await credentials.ResumeAsync(Descriptor(source.Effective.DisplayName) with { Credentials = recorded });
        Assert.Equal(source.Effective.Location, resumed.Location);

        await credentials.ForgetAsync(Cam);
        Assert.Empty(kept.Entries);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => credentials.ResumeAsync(Descriptor("x") with { Credentials = recorded }));
        Assert.Contains("credentials file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inline_credentials_a_host_does_not_keep_make_the_stream_not_resumable_and_say_so()
    {
        var credentials = new StreamCredentials(new Secrets());
        var source = await credentials.ApplyAsync(VideoSource.Parse("rtsp://u:p@cam.test/s"), null);
        var recorded = await credentials.KeepAsync(Cam, source);
        Assert.Equal(new SourceCredentials(), recorded);
        Assert.False(recorded!.SurvivesRestart);
        var status = StreamCredentials.Status(recorded, resumable: false, hasInlineSecrets: true);
        Assert.NotNull(status);
        Assert.False(status.SurvivesRestart);
        Assert.Contains("credentials.secret", status.Warning, StringComparison.Ordinal);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => credentials.ResumeAsync(Descriptor("rtsp://cam.test/s") with { Resumable = false }));
        Assert.Equal(StreamCredentials.NotResumableError, e.Message);
    }

    [Fact]
    public async Task A_file_resumes_from_its_recorded_path_while_the_record_shows_its_name()
    {
        var descriptor = Descriptor("lobby.mp4") with { Location = "/srv/media/lobby.mp4" };
        var source = await new StreamCredentials().ResumeAsync(descriptor);
        Assert.Equal("/srv/media/lobby.mp4", source.Location);
        Assert.Null(StreamCredentials.Status(null, resumable: true, hasInlineSecrets: false));
    }

    private static StreamDescriptor Descriptor(string source)
    {
        var now = DateTimeOffset.UtcNow;
        return new StreamDescriptor(Cam.Value, source, StreamDescriptor.Running, null, true, false, true, 3, 4, now, now, now);
    }

    private sealed class Secrets : Dictionary<string, Dictionary<string, string>>, ISecretStore
    {
        public bool Down { get; init; }
        public string Name => "secretstore";

        public Task<IReadOnlyDictionary<string, string>> GetAsync(string name, CancellationToken cancellationToken = default)
        {
            if (Down) throw new SecretStoreException("sidecar not reachable", transient: true);
            return TryGetValue(name, out var data)
                ? Task.FromResult<IReadOnlyDictionary<string, string>>(data)
                : throw new SecretStoreException($"failed getting secret with key {name} from secret store secretstore: secret {name} not found", transient: false);
        }
    }

    private sealed class Kept : ICredentialStore
    {
        public Dictionary<StreamId, string> Entries { get; } = [];
        public Task SaveAsync(StreamId id, string location, CancellationToken cancellationToken = default) { Entries[id] = location; return Task.CompletedTask; }
        public Task<string?> GetAsync(StreamId id, CancellationToken cancellationToken = default) => Task.FromResult(Entries.GetValueOrDefault(id));
        public Task DeleteAsync(StreamId id, CancellationToken cancellationToken = default) { Entries.Remove(id); return Task.CompletedTask; }
    }
}
