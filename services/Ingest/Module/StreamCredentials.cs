using System.Text.RegularExpressions;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.Core.Video;

namespace DaprVideo.Ingest;

/// <summary>
/// Turns a request's source and credentials into what ffmpeg opens, and back after a restart, without a secret ever
/// going into a stream record: a secret reference is read from the <see cref="ISecretStore"/> (distributed mode),
/// inline credentials (in the request or in the URL) are kept in the host's <see cref="ICredentialStore"/> when it has
/// one (embedded mode), otherwise they last only as long as the capture.
/// </summary>
public sealed partial class StreamCredentials(ISecretStore? secrets = null, ICredentialStore? kept = null)
{
    public const string UsernameKey = "username";
    public const string PasswordKey = "password";

    /// <summary>What the API says about inline credentials a host does not keep.</summary>
    public const string NotKeptWarning =
        "Inline credentials are not stored by this Ingest: the stream runs until Ingest restarts, then it fails. " +
        "Reference a secret instead (credentials.secret: a secret with keys username and password).";

    /// <summary>Why a stream with inline credentials was not resumed.</summary>
    public const string NotResumableError =
        "Ingest restarted and this stream's credentials were given inline, which this Ingest does not store; " +
        "add the stream again under another id with credentials.secret naming a secret (keys username and password).";

    /// <summary>True when this host can read secret references.</summary>
    public bool HasSecretStore => secrets is not null;

    /// <summary>True when this host keeps inline credentials across restarts.</summary>
    public bool KeepsInline => kept is not null;

    /// <summary>
    /// The request's credentials applied to <paramref name="source"/>: inline ones become the URL's userinfo, a secret
    /// reference is read now (so a wrong name fails the request, not the capture). Throws <see cref="ArgumentException"/>
    /// for a request to refuse (400) and <see cref="SecretStoreException"/> when the store cannot be reached (503).
    /// </summary>
    public async Task<RequestedSource> ApplyAsync(VideoSource source, CredentialsRequest? request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (request is null) return new RequestedSource(source, source, Secret: null);
        if (request.Secret is not null && (request.Username is not null || request.Password is not null))
            throw new ArgumentException("Give credentials either inline (username, password) or as {\"secret\": \"<name>\"}, not both.");
        if (request.Secret is { } name)
        {
            if (secrets is null)
                throw new ArgumentException("\"credentials\": {\"secret\": ...} needs a Dapr secret store (distributed mode); " +
                                            "here give {\"username\": \"...\", \"password\": \"...\"}.");
            if (!SecretNameRegex().IsMatch(name))
                throw new ArgumentException("credentials.secret must be a secret name: letters, digits, '.', '_', '-' (at most 253).");
            if (source.HasUserInfo)
                throw new ArgumentException("The source URL already has user:password@; give credentials once.");
            var (username, password) = await ReadSecretAsync(name, cancellationToken);
            return new RequestedSource(source, Apply(source, username, password), name);
        }
        if (request.Username is null || request.Password is null)
            throw new ArgumentException("credentials needs both \"username\" and \"password\" (or \"secret\").");
        return new RequestedSource(Apply(source, request.Username, request.Password), Apply(source, request.Username, request.Password), Secret: null);
    }

    private static VideoSource Apply(VideoSource source, string username, string password)
    {
        if (source.Kind is not (VideoSourceKind.Http or VideoSourceKind.Rtsp))
            throw new ArgumentException("credentials apply to http(s) and rtsp(s) sources only.");
        return source.WithCredentials(username, password);
    }

    /// <summary>
    /// Records what a restart needs: inline secrets go to the credentials store when there is one. Returns the
    /// reference for the stream's record (null when the source has no credentials at all).
    /// </summary>
    public async Task<SourceCredentials?> KeepAsync(StreamId id, RequestedSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var inline = source.Inline.HasSecrets;
        if (!inline) return source.Secret is null ? null : new SourceCredentials(source.Secret);
        if (kept is null) return new SourceCredentials(source.Secret);
        await kept.SaveAsync(id, source.Inline.Location, cancellationToken);
        return new SourceCredentials(source.Secret, Kept: true);
    }

    /// <summary>Forgets what <see cref="KeepAsync"/> kept (the stream ended, failed or was deleted).</summary>
    public Task ForgetAsync(StreamId id, CancellationToken cancellationToken = default) =>
        kept?.DeleteAsync(id, cancellationToken) ?? Task.CompletedTask;

    /// <summary>
    /// The source a stream record resumes with. Throws <see cref="ArgumentException"/> with the reason it cannot be
    /// resumed, and <see cref="SecretStoreException"/> (transient) when the secret store cannot be reached yet.
    /// </summary>
    public async Task<VideoSource> ResumeAsync(StreamDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!descriptor.Resumable) throw new ArgumentException(NotResumableError);
        var id = StreamId.Parse(descriptor.Id);
        var credentials = descriptor.Credentials;
        string text;
        if (credentials?.Kept == true)
        {
            if (kept is null) throw new ArgumentException("The stream's credentials were kept by an embedded Ingest; this Ingest has no credentials file.");
            text = await kept.GetAsync(id, cancellationToken)
                   ?? throw new ArgumentException("The stream's entry in the credentials file is gone; add the stream again under another id.");
        }
        else
        {
            text = descriptor.Location ?? descriptor.Source;
        }
        if (!VideoSource.TryParse(text, out var source, out var error)) throw new ArgumentException(VideoSource.RedactText(error));
        if (credentials?.Secret is { } name)
        {
            if (secrets is null) throw new ArgumentException($"The stream's credentials are in secret '{name}', but this Ingest has no secret store.");
            var (username, password) = await ReadSecretAsync(name, cancellationToken);
            source = Apply(source, username, password);
        }
        return source;
    }

    private async Task<(string Username, string Password)> ReadSecretAsync(string name, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string> data;
        try
        {
            data = await secrets!.GetAsync(name, cancellationToken);
        }
        catch (SecretStoreException e) when (!e.Transient)
        {
            throw new ArgumentException($"Secret '{name}' could not be read from secret store '{secrets!.Name}': {e.Message}", e);
        }
        if (!data.TryGetValue(UsernameKey, out var username) || !data.TryGetValue(PasswordKey, out var password) || username.Length == 0)
            throw new ArgumentException($"Secret '{name}' in secret store '{secrets.Name}' must have the keys '{UsernameKey}' (not empty) and " +
                                        $"'{PasswordKey}'; it has: {(data.Count == 0 ? "none" : string.Join(", ", data.Keys.Order(StringComparer.Ordinal)))}.");
        return (username, password);
    }

    /// <summary>The API's view of a stream's credentials (null: it has none).</summary>
    public static CredentialsStatus? Status(SourceCredentials? credentials, bool resumable, bool hasInlineSecrets)
    {
        if (credentials is null && !hasInlineSecrets && resumable) return null;
        return new CredentialsStatus(credentials?.Secret, resumable, resumable ? null : NotKeptWarning);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretNameRegex();
}

/// <summary>
/// A requested source: <see cref="Inline"/> as the request gave it (its own secrets: URL userinfo, tokens, inline
/// credentials), <see cref="Effective"/> with the referenced <see cref="Secret"/>'s credentials applied too (what ffmpeg opens).
/// </summary>
public sealed record RequestedSource(VideoSource Inline, VideoSource Effective, string? Secret)
{
    public static RequestedSource Plain(VideoSource source) => new(source, source, Secret: null);
}
