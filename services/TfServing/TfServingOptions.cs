using System.Text.RegularExpressions;
using DaprVideo.Core.Inference;
using DaprVideo.Settings;
using static DaprVideo.Settings.SettingsCatalogue;

namespace DaprVideo.TfServing;

/// <summary>
/// Settings of the TF Serving client, validated at start.
/// </summary>
/// <remarks>
/// TF_SERVING_URL picks the protocol by its scheme:
/// <list type="bullet">
/// <item><c>grpc://host[:port]</c> gRPC over cleartext HTTP/2 (h2c), port 8500 by default;
/// <c>grpcs://host[:port]</c> gRPC over TLS, port 443 by default.</item>
/// <item><c>http://host[:port]</c> REST, port 8501 by default; <c>https://host[:port]</c> REST over TLS.
/// The old client's form <c>http://host:8501/v1/models/NAME[:predict]</c> is accepted too and supplies
/// the model name.</item>
/// </list>
/// Anything else (other schemes, paths, queries, credentials in the URL) is rejected.
/// </remarks>
public sealed partial record TfServingOptions
{
    public const int GrpcDefaultPort = 8500;
    public const int RestDefaultPort = 8501;

    /// <summary><see cref="InputSize"/> value that sends frames at their own size.</summary>
    public const int FullFrame = 0; // SettingsCatalogue.TfServingInputSize's word 'full'

    /// <summary>Base address of the server: http(s)://host:port (for gRPC too: that is what the channel wants).</summary>
    public Uri Endpoint { get; init; } = new("http://localhost:8500");

    public TfServingProtocol Protocol { get; init; } = TfServingProtocol.Grpc;

    /// <summary>TF Serving's own default model name is <c>default</c>.</summary>
    public string ModelName { get; init; } = TfServingModel.Default!;

    public string SignatureName { get; init; } = "serving_default";

    /// <summary>Input alias of the Object Detection API signature.</summary>
    public string InputName { get; init; } = "inputs";

    /// <summary>Frames are resized to InputSize x InputSize (the model's own input), or sent whole when <see cref="FullFrame"/>.</summary>
    public int InputSize { get; init; } = TfServingInputSize.Default;

    /// <summary>Detections below this score are dropped (the server returns its top 100 regardless).</summary>
    public float ScoreThreshold { get; init; } = (float)SettingsCatalogue.ScoreThreshold.Default;

    public int BatchSize { get; init; } = SettingsCatalogue.BatchSize.Default;

    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(BatchTimeoutMs.Default);

    /// <summary>Batches in flight at once: two overlap the network with the server's model time.</summary>
    public int MaxConcurrentBatches { get; init; } = 2;

    public bool Debug { get; init; }

    /// <summary>Deadline of one attempt.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMilliseconds(TfServingTimeoutMs.Default);

    /// <summary>Retries after the first attempt, on transient failures only.</summary>
    public int MaxRetryAttempts { get; init; } = 3;

    /// <summary>First retry delay; doubles each time, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Share of failed calls within <see cref="BreakerSamplingDuration"/> that opens the circuit.</summary>
    public double BreakerFailureRatio { get; init; } = 0.5;

    public int BreakerMinimumThroughput { get; init; } = 4;

    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one trial call is let through.</summary>
    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest response accepted (and request sent).</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>The batching the Inference service puts in front of this client.</summary>
    public FrameBatcherOptions ToBatcherOptions() => new()
    {
        BatchSize = BatchSize,
        BatchTimeout = BatchTimeout,
        QueueCapacity = Math.Max(BatchSize * 4, 32),
        MaxConcurrentBatches = MaxConcurrentBatches,
    };

    /// <summary>Options for <paramref name="url"/> (same rules as TF_SERVING_URL); other settings default.</summary>
    public static TfServingOptions FromUrl(string url, string? modelName = null)
    {
        var (endpoint, protocol, modelFromPath) = ParseUrl(url);
        if (modelName is not null && modelFromPath is not null && modelName != modelFromPath)
            throw new SettingsException(TfServingModel.Name,
                $"'{modelName}' differs from model '{modelFromPath}' named in {TfServingUrl.Name}.");
        var options = new TfServingOptions
        {
            Endpoint = endpoint,
            Protocol = protocol,
            ModelName = modelName ?? modelFromPath ?? TfServingModel.Default!,
        };
        options.Validate();
        return options;
    }

    /// <summary>Reads and validates TF_SERVING_URL, TF_SERVING_MODEL, TF_SERVING_INPUT_SIZE,
    /// TF_SERVING_TIMEOUT_MS, BATCH_SIZE, BATCH_TIMEOUT_MS, SCORE_THRESHOLD and DEBUG from <paramref name="getVariable"/>.</summary>
    public static TfServingOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        return FromSettings(new SettingsReader(getVariable));
    }

    /// <summary>The TF Serving client's settings, as the catalogue defines them.</summary>
    public static TfServingOptions FromSettings(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = FromUrl(settings.Text(TfServingUrl, TfServingUrl.Default!), settings.IsSet(TfServingModel) ? settings.Text(TfServingModel) : null) with
        {
            InputSize = settings.WholeNumber(TfServingInputSize),
            RequestTimeout = TimeSpan.FromMilliseconds(settings.WholeNumber(TfServingTimeoutMs)),
            BatchSize = settings.WholeNumber(SettingsCatalogue.BatchSize),
            BatchTimeout = TimeSpan.FromMilliseconds(settings.WholeNumber(BatchTimeoutMs)),
            ScoreThreshold = (float)settings.Number(SettingsCatalogue.ScoreThreshold),
            Debug = settings.Switch(SettingsCatalogue.Debug),
        };
        options.Validate();
        return options;
    }

    /// <summary>Throws <see cref="SettingsException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
            throw new SettingsException(TfServingUrl.Name, "endpoint must be an absolute http(s) address.");
        if (!ModelNamePattern().IsMatch(ModelName ?? ""))
            throw new SettingsException(TfServingModel.Name,
                $"'{ModelName}' is not a model name (letters, digits, '_', '-', '.'; at most 128).");
        if (!ModelNamePattern().IsMatch(SignatureName ?? ""))
            throw new SettingsException(nameof(SignatureName), $"'{SignatureName}' is not a signature name.");
        if (string.IsNullOrEmpty(InputName))
            throw new SettingsException(nameof(InputName), "must not be empty.");
        // The ranges a host may set through the environment are the catalogue's.
        if (!TfServingInputSize.Allows(InputSize))
            throw new SettingsException(TfServingInputSize.Name, $"{InputSize} must be {TfServingInputSize.AllowedText}.");
        if (!SettingsCatalogue.ScoreThreshold.Allows(ScoreThreshold))
            throw new SettingsException(SettingsCatalogue.ScoreThreshold.Name, $"{ScoreThreshold} must be {SettingsCatalogue.ScoreThreshold.AllowedText}.");
        if (!SettingsCatalogue.BatchSize.Allows(BatchSize))
            throw new SettingsException(SettingsCatalogue.BatchSize.Name, $"{BatchSize} must be {SettingsCatalogue.BatchSize.AllowedText}.");
        if (BatchTimeout.TotalMilliseconds is var batchMs && !(batchMs >= BatchTimeoutMs.Min && batchMs <= BatchTimeoutMs.Max))
            throw new SettingsException(BatchTimeoutMs.Name, $"{batchMs} ms must be {BatchTimeoutMs.AllowedText}.");
        if (MaxConcurrentBatches is < 1 or > 64)
            throw new SettingsException(nameof(MaxConcurrentBatches), $"{MaxConcurrentBatches} must be 1..64.");
        if (RequestTimeout.TotalMilliseconds is var requestMs && !(requestMs >= TfServingTimeoutMs.Min && requestMs <= TfServingTimeoutMs.Max))
            throw new SettingsException(TfServingTimeoutMs.Name, $"{requestMs} ms must be {TfServingTimeoutMs.AllowedText}.");
        if (MaxRetryAttempts is < 0 or > 20)
            throw new SettingsException(nameof(MaxRetryAttempts), $"{MaxRetryAttempts} must be 0..20.");
        if (RetryBaseDelay < TimeSpan.Zero || MaxRetryDelay < RetryBaseDelay)
            throw new SettingsException(nameof(RetryBaseDelay), "retry delays must be >= 0 and base <= max.");
        if (!(BreakerFailureRatio > 0 && BreakerFailureRatio <= 1))
            throw new SettingsException(nameof(BreakerFailureRatio), $"{BreakerFailureRatio} must be in (0, 1].");
        if (BreakerMinimumThroughput < 2)
            throw new SettingsException(nameof(BreakerMinimumThroughput), "must be at least 2 (Polly's minimum).");
        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500))
            throw new SettingsException(nameof(BreakerSamplingDuration), "must be at least 500 ms (Polly's minimum).");
        if (BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
            throw new SettingsException(nameof(BreakerBreakDuration), "must be at least 500 ms (Polly's minimum).");
        if (MaxMessageBytes < 1024)
            throw new SettingsException(nameof(MaxMessageBytes), "must be at least 1024.");
    }

    private static (Uri Endpoint, TfServingProtocol Protocol, string? ModelFromPath) ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new SettingsException(TfServingUrl.Name, $"'{url}' is not an absolute URL (e.g. grpc://host:8500 or http://host:8501).");
        var (protocol, scheme, defaultPort) = uri.Scheme switch
        {
            "grpc" => (TfServingProtocol.Grpc, Uri.UriSchemeHttp, GrpcDefaultPort),
            "grpcs" => (TfServingProtocol.Grpc, Uri.UriSchemeHttps, 443),
            "http" => (TfServingProtocol.Rest, Uri.UriSchemeHttp, RestDefaultPort),
            "https" => (TfServingProtocol.Rest, Uri.UriSchemeHttps, 443),
            _ => throw new SettingsException(TfServingUrl.Name,
                $"scheme '{uri.Scheme}' unknown: use grpc://, grpcs:// (gRPC) or http://, https:// (REST)."),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new SettingsException(TfServingUrl.Name, "credentials in the URL are not supported.");
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new SettingsException(TfServingUrl.Name, "a query or fragment is not allowed.");

        string? model = null;
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.Length > 0)
        {
            var match = protocol == TfServingProtocol.Rest ? RestPathPattern().Match(path) : Match.Empty;
            if (!match.Success)
                throw new SettingsException(TfServingUrl.Name,
                    $"path '{uri.AbsolutePath}' not allowed: give host and port only" +
                    (protocol == TfServingProtocol.Rest ? " (or /v1/models/NAME)." : "."));
            model = match.Groups["model"].Value;
        }
        var port = uri.IsDefaultPort && !HasExplicitPort(url) ? defaultPort : uri.Port;
        var builder = new UriBuilder(scheme, uri.Host, port);
        return (builder.Uri, protocol, model);
    }

    // Uri reports the scheme default (80 for http) when the URL names no port; we want TF Serving's.
    private static bool HasExplicitPort(string url)
    {
        var afterScheme = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = url.IndexOfAny(['/', '?', '#'], afterScheme);
        var authority = end < 0 ? url[afterScheme..] : url[afterScheme..end];
        var colon = authority.LastIndexOf(':');
        return colon >= 0 && colon > authority.LastIndexOf(']');
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ModelNamePattern();

    [GeneratedRegex("^/v1/models/(?<model>[A-Za-z0-9][A-Za-z0-9_.-]{0,127})(:predict)?$")]
    private static partial Regex RestPathPattern();
}
